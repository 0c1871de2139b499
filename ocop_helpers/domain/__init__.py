"""The OCOP domain, as pure functions on frames of codes: units and their changes, authority by date,
the evaluation calendar, certificates and stock, targets, branding claims, allocation rules, the
budget and its simulation, the reorganisation, year over year. Vietnamese labels of the codes
(``labels``) live here too; nothing here reads a file."""

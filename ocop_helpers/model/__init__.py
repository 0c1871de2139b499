"""Plan + Params -> Results, once per scenario: the parameter registry (``params``), the stages and
their cache (``compute``), and the decisions a plan puts before its signer (``findings``)."""

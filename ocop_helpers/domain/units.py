"""Administrative units as dated data: which units exist when, and how old units map to new ones.

``units``: ``province_id, unit_id, unit_name, unit_kind, level, valid_from, valid_to`` (bounds
inclusive, empty ``valid_to`` = still valid). ``unit_changes``: ``from_unit_id, to_unit_id,
effective_date, kind, note`` and optionally ``share`` (the part of the old unit that goes to the new
one; only needed to split numbers across a one-to-many change).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ocop_helpers.core.dated import in_force

DateLike = dt.date | pd.Timestamp | str


def _day(value: DateLike) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def units_at(units: pd.DataFrame, province_id: str, date: DateLike, level: str | None = None) -> pd.DataFrame:
    """Units of ``province_id`` valid on ``date`` (optionally of one ``level``), in table order."""
    rows = units.loc[units["province_id"] == province_id]
    rows = in_force(rows, date)
    if level is not None:
        rows = rows.loc[rows["level"] == level]
    return rows.reset_index(drop=True)


def level_exists(units: pd.DataFrame, province_id: str, level: str, date: DateLike) -> bool | None:
    """Whether ``province_id`` has units of ``level`` on ``date``.

    ``None`` when the table never lists units of that level for the province (no information, e.g.
    the province or central level, which are not local units).
    """
    rows = units.loc[(units["province_id"] == province_id) & (units["level"] == level)]
    if rows.empty:
        return None
    return not in_force(rows, date).empty


def unit_mapping(
    unit_changes: pd.DataFrame,
    unit_ids: list[str] | pd.Series,
    from_date: DateLike,
    to_date: DateLike,
) -> pd.DataFrame:
    """Map each unit valid on ``from_date`` to the unit(s) that succeed it on ``to_date``.

    Changes with ``from_date < effective_date <= to_date`` are applied in date order, so chains
    (a merge followed by a split) compose. Returns one row per (old, new) pair:
    ``from_unit_id, to_unit_id, share`` (product of the change shares; NaN when a one-to-many step
    gave none), ``effective_date`` (last change applied; NaT when unchanged), ``targets`` (number of
    new units the old one feeds), ``sources`` (number of old units feeding the new one),
    ``relation`` (``unchanged`` / ``renamed`` / ``merged`` / ``split`` / ``split_and_merged``)
    and ``ambiguous`` (a split without shares: numbers cannot be allocated).
    """
    start, end = _day(from_date), _day(to_date)
    changes = unit_changes.copy()
    changes["effective_date"] = pd.to_datetime(changes["effective_date"])
    changes = changes.loc[(changes["effective_date"] > start) & (changes["effective_date"] <= end)]
    has_share = "share" in changes.columns

    # state: old unit -> list of (current unit, share or None, last effective date)
    state: dict[str, list[tuple[str, float | None, pd.Timestamp | None]]] = {
        str(u): [(str(u), 1.0, None)] for u in pd.unique(pd.Series(unit_ids, dtype="str"))
    }
    for when, step in changes.sort_values("effective_date").groupby("effective_date", sort=True):
        successors: dict[str, list[tuple[str, float | None]]] = {}
        for row in step.itertuples(index=False):
            share = row.share if has_share else None
            share = None if share is None or pd.isna(share) else float(share)
            successors.setdefault(str(row.from_unit_id), []).append((str(row.to_unit_id), share))
        for old, current in state.items():
            updated: list[tuple[str, float | None, pd.Timestamp | None]] = []
            for unit, share, last in current:
                if unit not in successors:
                    updated.append((unit, share, last))
                    continue
                nexts = successors[unit]
                for new_unit, step_share in nexts:
                    if len(nexts) == 1:
                        step_share = 1.0 if step_share is None else step_share
                    combined = None if share is None or step_share is None else share * step_share
                    updated.append((new_unit, combined, pd.Timestamp(when)))
            state[old] = updated

    records = [
        {"from_unit_id": old, "to_unit_id": unit, "share": share, "effective_date": last}
        for old, current in state.items()
        for unit, share, last in current
    ]
    mapping = pd.DataFrame(records, columns=["from_unit_id", "to_unit_id", "share", "effective_date"])
    mapping = mapping.groupby(["from_unit_id", "to_unit_id"], as_index=False, sort=False).agg(
        share=("share", lambda s: s.sum() if s.notna().all() else float("nan")),
        effective_date=("effective_date", "max"),
    )
    mapping["from_unit_id"] = mapping["from_unit_id"].astype("str")
    mapping["to_unit_id"] = mapping["to_unit_id"].astype("str")
    mapping["share"] = mapping["share"].astype("float64")
    mapping["effective_date"] = pd.to_datetime(mapping["effective_date"])
    mapping["targets"] = mapping.groupby("from_unit_id")["to_unit_id"].transform("size")
    mapping["sources"] = mapping.groupby("to_unit_id")["from_unit_id"].transform("size")
    split = mapping["targets"] > 1
    merged = mapping["sources"] > 1
    changed = mapping["effective_date"].notna()
    relation = pd.Series("unchanged", index=mapping.index, dtype="str")
    relation[changed] = "renamed"
    relation[merged] = "merged"
    relation[split] = "split"
    relation[split & merged] = "split_and_merged"
    mapping["relation"] = relation
    mapping["ambiguous"] = split & mapping.groupby("from_unit_id")["share"].transform(lambda s: s.isna().any())
    return mapping.reset_index(drop=True)


@dataclass(frozen=True)
class RekeyResult:
    """A table re-keyed to new units, and what could not be re-keyed without guessing.

    ``table``: values summed per new unit (merges sum; splits allocated only when shares are known),
    with ``incomplete`` True for a new unit that should also receive part of an ambiguous old unit.
    ``ambiguous``: one row per old-unit row that a split sends to several new units without shares
    (``from_unit_id``, ``candidates`` as 'a, b, c', and the values left unallocated).
    ``unmapped``: rows whose unit is not in the mapping.
    """

    table: pd.DataFrame
    ambiguous: pd.DataFrame
    unmapped: pd.DataFrame

    @property
    def is_complete(self) -> bool:
        """True when every row was re-keyed without guessing."""
        return self.ambiguous.empty and self.unmapped.empty


def rekey(
    frame: pd.DataFrame,
    mapping: pd.DataFrame,
    unit_column: str = "unit_id",
    value_columns: list[str] | None = None,
) -> RekeyResult:
    """Re-key ``frame`` (keyed by old units in ``unit_column``) to the new units of ``mapping``.

    ``value_columns`` (default: every numeric column) are summed; every other column is kept as a
    grouping key (e.g. year or stream). Splits with shares in ``mapping`` are allocated by share;
    splits without shares go to ``ambiguous`` instead of being guessed.
    """
    if value_columns is None:
        value_columns = [c for c in frame.columns if c != unit_column and pd.api.types.is_numeric_dtype(frame[c])]
    keys = [c for c in frame.columns if c not in value_columns and c != unit_column]
    data = frame.copy()
    data[unit_column] = data[unit_column].astype("str")
    joined = data.merge(
        mapping[["from_unit_id", "to_unit_id", "share", "targets", "ambiguous"]],
        left_on=unit_column,
        right_on="from_unit_id",
        how="left",
    )
    unmapped = data.loc[~data[unit_column].isin(mapping["from_unit_id"])].reset_index(drop=True)
    joined = joined.loc[joined["to_unit_id"].notna()]

    is_ambiguous = joined["ambiguous"].astype(bool)
    allocatable = joined.loc[~is_ambiguous].copy()
    factor = allocatable["share"].where(allocatable["targets"] > 1, 1.0).astype("float64")
    for column in value_columns:
        allocatable[column] = allocatable[column] * factor.to_numpy()

    ambiguous_rows = joined.loc[is_ambiguous]
    group_cols = [unit_column, *keys]
    ambiguous = (
        ambiguous_rows.groupby(group_cols, dropna=False, sort=False)
        .agg(
            candidates=("to_unit_id", lambda s: ", ".join(sorted(s.astype(str).unique()))),
            **{c: (c, "first") for c in value_columns},
        )
        .reset_index()
        .rename(columns={unit_column: "from_unit_id"})
        if not ambiguous_rows.empty
        else pd.DataFrame(columns=["from_unit_id", *keys, "candidates", *value_columns])
    )

    allocatable = allocatable.drop(columns=[unit_column]).rename(columns={"to_unit_id": unit_column})
    table = allocatable.groupby(group_cols, dropna=False, sort=False)[value_columns].sum().reset_index()
    for column in value_columns:
        if pd.api.types.is_integer_dtype(frame[column]) and (table[column] % 1 == 0).all():
            table[column] = table[column].astype(frame[column].dtype)
    pending = set(ambiguous_rows["to_unit_id"].astype(str))
    # a new unit that only receives from ambiguous splits still appears, with zero and the flag
    missing = sorted(pending - set(table[unit_column].astype(str)))
    if missing:
        extra = ambiguous_rows.loc[ambiguous_rows["to_unit_id"].isin(missing)]
        extra = extra.drop(columns=[unit_column]).rename(columns={"to_unit_id": unit_column})
        extra = extra[group_cols].drop_duplicates()
        for column in value_columns:
            extra[column] = 0
        table = pd.concat([table, extra], ignore_index=True)
    table["incomplete"] = table[unit_column].astype(str).isin(pending)
    return RekeyResult(table=table.reset_index(drop=True), ambiguous=ambiguous, unmapped=unmapped)

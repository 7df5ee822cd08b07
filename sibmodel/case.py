"""The case file: a validated, typed model of one business case, read from and written to YAML.

Money is in the case's ``price_year`` and ``currency`` (DKK by default), real terms; years are whole
programme years. See ``docs/model.md`` for the meaning of every field.
"""
from __future__ import annotations

import copy
import re
import difflib
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (BaseModel, ConfigDict, Field, PlainSerializer, PlainValidator, PrivateAttr, ValidationError,
                      WithJsonSchema, field_validator, model_validator)

from .discount import SCHEDULES
from .distributions import Distribution, DistributionError, is_distribution
from .errors import _MISSING, CaseError, Problem
from .holders import HOLDERS, OTHER_HOLDERS, PERSPECTIVES  # noqa: F401  (HOLDERS re-exported)
from .limits import check_case_data
from .rates import relative_reduction, treated_rate
from .yamlio import dump_yaml, load_yaml

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Years = Annotated[int, Field(ge=0, le=200)]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


def _number_or_list(value: Any, *, upper: float | None = None) -> float | list[float]:
    """Accept a non-negative number or a non-empty list of them (``upper`` bounds each value)."""
    allowed = "a number >= 0" if upper is None else f"a number between 0 and {upper:g}"
    def check(x: Any) -> float:
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            raise ValueError(f"must be {allowed} or a list of such numbers")
        if not (x >= 0 and (upper is None or x <= upper)) or x != x:
            raise ValueError(f"must be {allowed}; got {x!r}")
        return float(x)
    if isinstance(value, list):
        if not value:
            raise ValueError("must not be an empty list")
        return [check(x) for x in value]
    return check(value)


class LocalText(str):
    """A text given in both languages (``{da: ..., en: ...}``). As a string it is the English text (the Danish
    where no English is given), so code that wants one string keeps working; :meth:`text` picks a language."""

    def __new__(cls, da: str = "", en: str = "") -> "LocalText":
        obj = super().__new__(cls, en or da)
        obj.da, obj.en = da, en
        return obj

    def __getnewargs__(self) -> tuple[str, str]:
        return self.da, self.en

    def text(self, lang: str) -> str:
        """The text in ``lang`` (``"da"`` or ``"en"``), or in the other language where it is not given."""
        return (self.da or self.en) if lang == "da" else (self.en or self.da)

    def to_data(self) -> dict[str, str]:
        return {k: v for k, v in (("da", self.da), ("en", self.en)) if v}


def _to_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and value and set(value) <= {"da", "en"} and \
            all(isinstance(v, str) for v in value.values()) and any(value.values()):
        return LocalText(value.get("da", ""), value.get("en", ""))
    raise ValueError("must be a text, or the text in both languages as {da: ..., en: ...}")


#: A case's name or outcome description: one string, or ``{da: ..., en: ...}`` (then a :class:`LocalText`).
Text = Annotated[str, PlainValidator(_to_text),
                 PlainSerializer(lambda v: v.to_data() if isinstance(v, LocalText) else str(v)),
                 WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "object", "additionalProperties": False,
                                                                "properties": {"da": {"type": "string"},
                                                                               "en": {"type": "string"}}}]})]


def text_in(value: str | None, lang: str) -> str:
    """A :data:`Text` in ``lang``: a plain string as it is, a :class:`LocalText` in that language."""
    if value is None:
        return ""
    return value.text(lang) if isinstance(value, LocalText) else str(value)


class Cohort(_Strict):
    """Who enrols: ``participants[e]`` people in programme year ``e``."""

    participants: list[NonNegative] = Field(min_length=1, description="People enrolled in programme years 0, 1, 2, ...")

    @field_validator("participants")
    @classmethod
    def _someone(cls, v: list[float]) -> list[float]:
        if sum(v) <= 0:
            raise ValueError("at least one participant must enrol (all entries are 0)")
        return v


class Outcome(_Strict):
    """The outcome: the rate of ending in the costly situation without (p0) and with (p1) the intervention."""

    description: Text = ""
    baseline_rate: Probability = Field(description="p0: share of participants who end in the case without the intervention")
    relative_reduction: Probability | None = Field(None, description="1 - p1/p0 (give this or treated_rate)")
    treated_rate: Probability | None = Field(None, description="p1: the rate with the intervention (give this or relative_reduction)")
    onset_lag_years: Years = Field(0, description="Years from enrolment until savings start (L)")
    horizon_years: Annotated[int, Field(ge=1, le=200)] = Field(description="Years of consequences followed per case (J)")
    drop_off: Probability | None = Field(None, description="Yearly share of prevented cases that relapse; persistence = (1 - drop_off)**j")
    persistence: list[Probability] | None = Field(None, description="Probability that a prevented case is still prevented in relative year j")

    @model_validator(mode="after")
    def _alternatives(self) -> Outcome:
        if (self.relative_reduction is None) == (self.treated_rate is None):
            got = "both" if self.relative_reduction is not None else "neither"
            raise ValueError(f"give exactly one of relative_reduction or treated_rate (got {got})")
        if self.treated_rate is not None and self.treated_rate > self.baseline_rate:
            raise ValueError(
                f"treated_rate ({self.treated_rate:g}) must not exceed baseline_rate ({self.baseline_rate:g}): "
                "the model is for interventions that reduce the rate"
            )
        if self.drop_off is not None and self.persistence is not None:
            raise ValueError("give drop_off or persistence, not both")
        if self.persistence is not None and len(self.persistence) > self.horizon_years:
            raise ValueError(
                f"persistence has {len(self.persistence)} values but horizon_years is {self.horizon_years}; "
                "give at most one value per year of the horizon"
            )
        return self

    @property
    def p0(self) -> float:
        return self.baseline_rate

    @property
    def p1(self) -> float:
        """The rate with the intervention (given, or implied by the relative reduction)."""
        return treated_rate(self.baseline_rate, self.relative_reduction, self.treated_rate)

    @property
    def implied_relative_reduction(self) -> float:
        """``(p0 - p1) / p0`` (given, or implied by the treated rate; 0 where ``p0 = 0``)."""
        return relative_reduction(self.baseline_rate, self.p1)


class Adjustments(_Strict):
    """Green Book / GMCA adjustments; they reduce the savings side only, never what is paid for."""

    attribution: Probability = Field(1.0, description="Share of the effect due to this intervention")
    displacement: Probability = Field(0.0, description="Share of the saving that reappears elsewhere")
    optimism_bias: Annotated[float, Field(ge=0.0, lt=1.0)] = Field(0.0, description="Correction for weak evidence")

    @property
    def factor(self) -> float:
        return self.attribution * (1.0 - self.displacement) * (1.0 - self.optimism_bias)


class CostItem(_Strict):
    """One consequence cost of a case: a catalogue key (``item``) and/or an explicit ``amount`` with its holder.

    With ``item`` the catalogue gives amount, holder and labels; an ``amount`` given beside it replaces the
    catalogue amount and is taken to be in the case's price year.
    """

    item: str | None = Field(None, description="Key in the unit-cost catalogue (data/unit_costs.csv)")
    amount: NonNegative | None = Field(None, description="Unit cost in the case's currency and price year")
    holder: str | None = Field(None, description="Holder that bears the cost (required with amount alone): kommune, "
                               "region, stat, participant, others or a holder declared under holders")
    direction: Literal["avoided", "incurred"] | None = Field(
        None, description="avoided (default): prevention saves this cost; incurred: prevention causes it (enters with a minus sign)")
    label: str | None = None
    quantity: float | list[float] = Field(1.0, description="Units per case per relative year: a number or a list by year")
    years: Annotated[int, Field(ge=1, le=200)] | None = Field(None, description="With a number quantity: relative years it applies (default: the horizon)")
    cashable: Probability = Field(1.0, description="Share of the cost that is actually released when a case is prevented")

    @field_validator("quantity", mode="before")
    @classmethod
    def _quantity(cls, v: Any) -> float | list[float]:
        return _number_or_list(v)

    @model_validator(mode="after")
    def _source(self) -> CostItem:
        if self.item is None and self.amount is None:
            raise ValueError("give a catalogue key (item) or an amount")
        if self.item is None and self.holder is None:
            raise ValueError("an item given by amount needs its holder (kommune, region, stat, participant, others or a declared holder)")
        if self.item is not None and self.holder is not None:
            raise ValueError(f"holder comes from the catalogue for item {self.item!r}; remove holder or give amount without item")
        if self.years is not None and isinstance(self.quantity, list):
            raise ValueError("years goes with a number quantity; with a list, its length gives the years")
        return self

    def quantities(self, horizon: int) -> list[float]:
        """Quantity per case for relative years ``0 .. horizon-1`` (zero beyond a list or ``years``)."""
        if isinstance(self.quantity, list):
            q = list(self.quantity)
        else:
            q = [self.quantity] * (horizon if self.years is None else min(self.years, horizon))
        return (q + [0.0] * horizon)[:horizon]

    @property
    def sign(self) -> float:
        """+1 for a cost that prevention avoids, -1 for one it causes."""
        return -1.0 if self.direction == "incurred" else 1.0


class Intervention(_Strict):
    """What the intervention costs (DKK, case price year)."""

    cost_per_participant: NonNegative = Field(description="Cost per participant, spread evenly over delivery_years")
    delivery_years: Annotated[int, Field(ge=1, le=50)] = 1
    fixed_cost_per_year: float | list[float] = Field(
        0.0, description="Fixed cost by programme year (a list), or one number for every enrolment year"
    )

    @field_validator("fixed_cost_per_year", mode="before")
    @classmethod
    def _fixed(cls, v: Any) -> float | list[float]:
        return _number_or_list(v)


class OutcomeRow(_Strict):
    """One row of a rate card: what is paid for, measured when, at what price (DKK per paid outcome)."""

    key: Annotated[str, Field(pattern=r"^[a-z0-9_]+$", max_length=60)] = Field(description="Unique name of the row ([a-z0-9_])")
    label: str = ""
    pays: Literal["prevented", "success", "own"] = Field(
        "prevented", description="prevented: a prevented case still prevented at `year`; success: a participant not in "
        "the case at `year`; own: an outcome with rates of its own")
    year: Years = Field(0, description="Relative year of measurement after enrolment (0 = enrolment year)")
    price: NonNegative = Field(description="Price per paid outcome (DKK)")
    baseline_rate: Probability | None = Field(None, description="own rows: share reaching the outcome without the intervention (default 0)")
    treated_rate: Probability | None = Field(None, description="own rows: share reaching it with the intervention")
    paid_for: Literal["improvement", "all"] | None = Field(
        None, description="own rows: improvement (treated - baseline, default) or all (treated)")

    @model_validator(mode="after")
    def _own(self) -> OutcomeRow:
        own_fields = [f for f in ("baseline_rate", "treated_rate", "paid_for") if getattr(self, f) is not None]
        if self.pays != "own":
            if own_fields:
                raise ValueError(f"@{own_fields[0]}@only a row with pays: own has rates of its own")
            return self
        if self.treated_rate is None:
            raise ValueError("@treated_rate@a row with pays: own needs its treated_rate")
        if self.paid_for != "all" and self.treated_rate < (self.baseline_rate or 0.0):
            raise ValueError(f"@treated_rate@{self.treated_rate:g} is below baseline_rate {self.baseline_rate:g}; with "
                             "paid_for: improvement the treated rate must be at least the baseline rate")
        return self


class CoPayer(_Strict):
    """An outcome fund or other body that pays ``share`` of every outcome payment (public money or not)."""

    name: str = Field(min_length=1)
    share: Annotated[float, Field(gt=0.0, lt=1.0)] = Field(description="Share of every outcome payment")
    public: bool = Field(True, description="Public money (e.g. Den Sociale Investeringsfond) or not (a private foundation)")


class Fee(_Strict):
    """An intermediary or evaluation fee (DKK): a list by programme year, or one number for every enrolment year."""

    label: str = ""
    paid_by: Literal["commissioner", "investor"]
    amount: float | list[float]

    @field_validator("amount", mode="before")
    @classmethod
    def _amount(cls, v: Any) -> float | list[float]:
        return _number_or_list(v)


class Guarantee(_Strict):
    """A first-loss guarantee by a third party: it covers the investor's loss (undiscounted: financed cost and
    investor fees minus payments received) up to ``amount`` DKK, paid in the contract's last payment year."""

    amount: NonNegative
    by: str = ""


@dataclass(frozen=True)
class CardRow:
    """A rate-card row as the model uses it (a v1 contract becomes one row; see :meth:`Contract.rows`)."""

    key: str
    label: str
    pays: str                 # prevented | success | own
    year: int
    price: float
    price_path: str           # dotted input path of the price
    baseline_rate: float = 0.0
    treated_rate: float = 0.0
    paid_for: str = "improvement"
    sustained: bool = True    # False for a v1 contract: the measured effect, without persistence
    index: int | None = None  # position in contract.outcomes (None for a v1 contract)


def real_rate(rate: Any, contract: "Contract") -> Any:
    """``rate`` (a number or an array of draws) as a real rate under ``contract``'s basis."""
    if contract.required_return_basis == "nominal":
        return (1.0 + rate) / (1.0 + contract.expected_inflation) - 1.0
    return rate


class Contract(_Strict):
    """The outcome contract: what is paid for (one price for one metric, or a rate card of rows), by whom, with
    which threshold, co-payers, caps, fees and guarantee, and who finances it."""

    metric: Literal["prevented_case", "success"] | None = Field(None, description="v1: what one price pays for (default prevented_case)")
    price: NonNegative | None = Field(None, description="v1: price per paid outcome (DKK); or give outcomes")
    outcomes: list[OutcomeRow] | None = Field(None, min_length=1, description="The rate card: rows with their prices")
    payment_lag_years: Years = 0
    threshold: Probability | None = Field(None, description="A cohort is paid only if its measured relative reduction reaches this")
    co_payers: list[CoPayer] | None = None
    cap: NonNegative | None = Field(None, description="Maximum total outcome payments, undiscounted (DKK)")
    cap_per_participant: NonNegative | None = Field(None, description="Maximum one participant can earn across the card (DKK)")
    payers: list[str] = Field(default_factory=lambda: ["kommune"], min_length=1)
    investor_share: Probability = Field(1.0, description="Share of the intervention cost the investor pre-finances")
    investor_required_return: Annotated[float, Field(gt=-1.0, le=1.0)] = Field(0.07, description="Investor's required annual return")
    required_return_basis: Literal["real", "nominal"] | None = Field(
        None, description="real (the default when omitted: the model's cash flows are in fixed prices) or nominal; a "
        "nominal required return is converted to real with expected_inflation")
    expected_inflation: Annotated[float, Field(gt=-0.5, lt=0.5)] | None = Field(
        None, description="Expected annual inflation that turns a nominal required return into a real one: "
        "(1 + nominal) / (1 + inflation) - 1; only with required_return_basis: nominal")
    fees: list[Fee] | None = None
    guarantee: Guarantee | None = None

    @field_validator("payers")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("each payer may appear only once")
        return v

    @model_validator(mode="after")
    def _card(self) -> Contract:
        if self.outcomes is None:
            if self.price is None:
                raise ValueError("@price@required field is missing: give a price (with metric) or a rate card under outcomes")
            if self.metric is None:
                object.__setattr__(self, "metric", "prevented_case")
        else:
            for f in ("price", "metric"):
                if getattr(self, f) is not None:
                    raise ValueError(f"@{f}@give either metric and price or a rate card under outcomes, not both")
            seen: set[str] = set()
            for i, row in enumerate(self.outcomes):
                if row.key in seen:
                    raise ValueError(f"@outcomes.{i}.key@duplicate row key {row.key!r}; keys must be unique")
                seen.add(row.key)
        if self.required_return_basis == "nominal" and self.expected_inflation is None:
            raise ValueError("@expected_inflation@required field is missing: a nominal required return needs the expected "
                             "inflation that converts it to real terms")
        if self.required_return_basis != "nominal" and self.expected_inflation is not None:
            raise ValueError("@expected_inflation@is used only with required_return_basis: nominal (the required return "
                             "is already real)")
        total = sum(c.share for c in self.co_payers or [])
        if total >= 1.0:
            raise ValueError(f"@co_payers@shares sum to {total:g}; they must sum to less than 1 (the payers pay the rest)")
        return self

    def rows(self) -> list[CardRow]:
        """The rate card as the model uses it; a v1 contract (``metric`` + ``price``) is one row measured at
        enrolment without persistence, keyed by its metric."""
        if self.outcomes is None:
            pays = "prevented" if self.metric == "prevented_case" else "success"
            return [CardRow(self.metric, "", pays, 0, float(self.price), "contract.price", sustained=False)]
        return [CardRow(r.key, r.label, r.pays, r.year, r.price, f"contract.outcomes.{i}.price",
                        r.baseline_rate or 0.0, r.treated_rate or 0.0, r.paid_for or "improvement", True, i)
                for i, r in enumerate(self.outcomes)]

    @property
    def real_required_return(self) -> float:
        """The investor's required return in real terms (per year): as given, or a nominal one deflated by the
        expected inflation, ``(1 + nominal) / (1 + inflation) - 1``."""
        return real_rate(self.investor_required_return, self)

    @property
    def co_payer_share(self) -> float:
        """Sum of co-payer shares (0 without co-payers)."""
        return sum(c.share for c in self.co_payers or [])

    @property
    def private_co_payer_share(self) -> float:
        """Sum of the shares of co-payers that are not public money."""
        return sum(c.share for c in self.co_payers or [] if not c.public)


class HolderSpec(_Strict):
    """A holder a case declares itself (e.g. a kommune split by department), with its perspective and labels."""

    perspective: Literal["public", "participant", "others"] = "public"
    label_da: str = ""
    label_en: str = ""


class Case(_Strict):
    """One business case (see ``docs/model.md``).

    Any real-valued input may be a distribution (see :mod:`sibmodel.distributions`); the fields then hold the
    point value (the distribution's mean) and :attr:`distributions` maps each dotted path to its distribution.
    """

    _uncertain: dict[str, Distribution] = PrivateAttr(default_factory=dict)

    name: Text
    area: str | None = None
    currency: str = "DKK"
    price_year: Annotated[int, Field(ge=1900, le=2200)]
    discounting: str | float = Field("dk-fm-2021", description="A named schedule (dk-fm-2021, uk-green-book) or a constant rate")
    cohort: Cohort
    outcome: Outcome
    adjustments: Adjustments = Adjustments()
    holders: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)], HolderSpec] | None = Field(
        None, description="Holders this case declares beside kommune, region, stat, participant and others")
    costs_per_case: list[CostItem] = Field(default_factory=list)
    intervention: Intervention
    contract: Contract

    def name_in(self, lang: str) -> str:
        """The case's name in ``lang``: ``name`` may be one string or ``{da: ..., en: ...}``."""
        return text_in(self.name, lang)

    def description_in(self, lang: str) -> str:
        """The outcome's description in ``lang`` (one string or ``{da: ..., en: ...}``)."""
        return text_in(self.outcome.description, lang)

    @field_validator("discounting", mode="before")
    @classmethod
    def _discounting(cls, v: Any) -> str | float:
        if isinstance(v, str):
            if v not in SCHEDULES:
                raise ValueError(f"must be one of {', '.join(SCHEDULES)} or a constant rate such as 0.035")
            return v
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.0 <= v < 1.0:
            raise ValueError(f"must be one of {', '.join(SCHEDULES)} or a constant rate between 0 and 1")
        return float(v)

    @model_validator(mode="after")
    def _lists_fit_horizon(self) -> Case:
        J = self.outcome.horizon_years
        for i, c in enumerate(self.costs_per_case):
            if isinstance(c.quantity, list) and len(c.quantity) > J:
                raise ValueError(f"@costs_per_case.{i}.quantity@has {len(c.quantity)} values but horizon_years is {J}")
        for name in self.holders or {}:
            if name in HOLDERS or name in OTHER_HOLDERS:
                raise ValueError(f"@holders.{name}@{name!r} is a standard holder; declare only holders of your own")
        known = self.holder_perspectives()
        allowed = ", ".join(known)
        for i, c in enumerate(self.costs_per_case):
            if c.holder is not None and c.holder not in known:
                raise ValueError(f"@costs_per_case.{i}.holder@unknown holder {c.holder!r}; allowed: {allowed} "
                                 "(declare a holder of your own under holders)")
        public = [repr(h) for h, p in known.items() if p == "public"]
        for i, h in enumerate(self.contract.payers):
            if known.get(h) != "public":
                raise ValueError(f"@contract.payers.{i}@not a public holder of this case; must be "
                                 f"{', '.join(public[:-1])} or {public[-1]}")
        for i, row in enumerate(self.contract.outcomes or []):
            if row.pays != "own" and row.year >= J:
                raise ValueError(f"@contract.outcomes.{i}.year@measurement year {row.year} is beyond the horizon "
                                 f"(horizon_years {J}: years 0 to {J - 1})")
        return self

    def holder_perspectives(self) -> dict[str, str]:
        """Every holder this case knows, with its perspective (public, participant, others), in display order:
        kommune, region, stat, participant, others, then declared holders."""
        out = {h: "public" for h in HOLDERS}
        out.update({h: h for h in OTHER_HOLDERS})
        out.update({k: v.perspective for k, v in (self.holders or {}).items()})
        return out

    def holder_names(self, items_holders: list[str] | None = None) -> list[str]:
        """The holders results are shown for: kommune, region and stat always; participant and others where a
        cost item names them (``items_holders``: the holders of the resolved items); declared holders always."""
        used = set(items_holders if items_holders is not None else [c.holder for c in self.costs_per_case if c.holder])
        return [h for h in (*HOLDERS, *OTHER_HOLDERS) if h in HOLDERS or h in used] + list(self.holders or {})

    # -- I/O -----------------------------------------------------------------------------------------

    @property
    def distributions(self) -> dict[str, Distribution]:
        """Uncertain inputs: dotted path -> :class:`Distribution` (empty for a case of point values)."""
        return dict(self._uncertain)

    def point(self) -> Case:
        """The same case with every distribution replaced by its point value (its mean)."""
        return Case.model_validate(self.model_dump(mode="python"))

    def to_dict(self) -> dict[str, Any]:
        """The case as plain data, without unset optional fields; distributions as written."""
        data = self.model_dump(mode="json", exclude_none=True)
        for path, dist in self._uncertain.items():
            _put(data, path, copy.deepcopy(dist.spec))
        return data

    def to_yaml(self) -> str:
        """The case as YAML text; ``Case.from_yaml(case.to_yaml()) == case``."""
        return dump_yaml(self.to_dict())

    @classmethod
    def from_dict(cls, data: Any, source: str | None = None) -> Case:
        """Validate plain data into a case; raises :class:`CaseError` naming each bad field."""
        if not isinstance(data, dict):
            raise CaseError(Problem("", type(data).__name__, "a case must be a mapping of keys to values"), source)
        check_case_data(data, source)  # limits first: nothing below walks hostile data
        point, dists, problems = _extract_distributions(data)
        if problems:
            raise CaseError(problems, source)
        try:
            case = cls.model_validate(point)
        except ValidationError as exc:
            raise CaseError(_problems(exc, data, dists), source) from None
        problems = _check_supports(point, dists)
        if problems:
            raise CaseError(problems, source)
        case._uncertain = dists
        return case

    @classmethod
    def from_yaml(cls, text: str, source: str | None = None) -> Case:
        data = load_yaml(text, source)  # the limited safe loader: refuses duplicate keys, alias bombs, deep nesting
        return cls.from_dict(data, source)

    def update(self, changes: dict[str, Any]) -> Case:
        """A new validated case with values replaced at dotted paths, e.g. ``{"outcome.relative_reduction": 0.3}``.

        Setting one of two alternatives clears the other (relative_reduction/treated_rate, drop_off/persistence).
        """
        data = copy.deepcopy(self.model_dump(mode="python", exclude_none=True))
        for path, dist in self._uncertain.items():
            _put(data, path, copy.deepcopy(dist.spec))
        for path, value in changes.items():
            _set_path(data, path, value)
        return Case.from_dict(data)

    def get(self, path: str) -> Any:
        """The (point) value at a dotted path, e.g. ``case.get("contract.price")``."""
        node: Any = self.model_dump(mode="python")
        for part in path.split("."):
            node = _step(node, part, path)
        return node


_ALTERNATIVES = {
    "relative_reduction": "treated_rate", "treated_rate": "relative_reduction",
    "drop_off": "persistence", "persistence": "drop_off",
}
_MISSING_VALUE = _MISSING


def _fields_at(path_parts: list[str]) -> list[str]:
    """Field names allowed at a path (for suggestions)."""
    model: Any = Case
    for part in path_parts:
        if part.isdigit():
            continue
        field = model.model_fields.get(part)
        if field is None:
            return []
        ann = field.annotation
        args = getattr(ann, "__args__", ())
        model = next((a for a in (ann, *args) if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if model is None:
            inner = [getattr(a, "__args__", ()) for a in args]
            model = next((b for t in inner for b in t if isinstance(b, type) and issubclass(b, BaseModel)), None)
        if model is None:
            return []
    return list(model.model_fields)


def _step(node: Any, part: str, path: str) -> Any:
    if isinstance(node, list):
        if not part.isdigit() or int(part) >= len(node):
            raise CaseError(Problem(path, _MISSING_VALUE, f"{part!r} is not an index of a list of {len(node)} entries"))
        return node[int(part)]
    if not isinstance(node, dict) or part not in node:
        raise CaseError(Problem(path, _MISSING_VALUE, "no such field in a case"))
    return node[part]


def _set_path(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node: Any = data
    for i, part in enumerate(parts[:-1]):
        if isinstance(node, dict) and part not in node:
            allowed = _fields_at(parts[:i])
            if part not in allowed:
                raise CaseError(Problem(path, value, _unknown_key(part, allowed)))
            node[part] = {}
        node = _step(node, part, path)
    last = parts[-1]
    if isinstance(node, list):
        if not last.isdigit() or int(last) > len(node):
            raise CaseError(Problem(path, value, f"{last!r} is not an index of a list of {len(node)} entries"))
        if int(last) == len(node):
            node.append(value)
        else:
            node[int(last)] = value
        return
    allowed = _fields_at(parts[:-1])
    if last not in node and allowed and last not in allowed:
        raise CaseError(Problem(path, value, _unknown_key(last, allowed)))
    node[last] = value
    if last in _ALTERNATIVES and value is not None:
        node.pop(_ALTERNATIVES[last], None)


def _unknown_key(key: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown key{hint}; allowed here: {', '.join(allowed)}"


def _lookup(data: Any, loc: tuple[Any, ...]) -> Any:
    node = data
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return _MISSING_VALUE
    return node


def _put(data: Any, path: str, value: Any) -> None:
    """Set ``value`` at an existing dotted path of plain data."""
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def _extract_distributions(data: Any) -> tuple[Any, dict[str, Distribution], list[Problem]]:
    """Replace every distribution in plain data by its mean; return the point data, the distributions by dotted
    path (in the order they appear) and the problems of invalid distributions."""
    dists: dict[str, Distribution] = {}
    problems: list[Problem] = []

    def walk(node: Any, path: str) -> Any:
        if is_distribution(node):
            try:
                d = Distribution.from_spec(node)
            except DistributionError as exc:
                problems.append(Problem(path, node, str(exc)))
                return node
            dists[path] = d
            return d.mean
        if isinstance(node, dict):
            return {k: walk(v, f"{path}.{k}" if path else str(k)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, f"{path}.{i}") for i, v in enumerate(node)]
        return node

    return walk(data, ""), dists, problems


def _check_supports(point: dict[str, Any], dists: dict[str, Distribution]) -> list[Problem]:
    """Refuse a distribution whose values can leave the field's allowed range.

    Each end of the support (an infinite end as +-1e300; an open end of a beta, lognormal or gamma nudged
    inwards) is put into the case in turn; a problem reported at that very field means the range is left.
    """
    problems: list[Problem] = []
    for path, d in dists.items():
        if d.is_point:
            continue
        lo, hi = d.support
        opened = d.kind in ("beta", "lognormal", "gamma")
        ends = [lo + 1e-12 if opened else lo, hi - 1e-12 if opened and hi == 1.0 else hi]
        for end in ends:
            end = max(min(end, 1e300), -1e300)
            trial = copy.deepcopy(point)
            _put(trial, path, end)
            try:
                Case.model_validate(trial)
            except ValidationError as exc:
                here = [p for p in _problems(exc, trial) if p.path == path]
                if here:
                    shown = f"[{lo:g}, {hi:g}]"
                    problems.append(Problem(path, d.spec, (
                        f"the {d.kind} distribution takes values in {shown}, outside what this field allows "
                        f"({here[0].message}); use a distribution inside the allowed range (beta for a share; "
                        "normal with lower/upper; triangular, uniform or pert)")))
                    break
    return problems


def _problems(exc: ValidationError, data: Any, dists: dict[str, Distribution] | None = None) -> list[Problem]:
    """Translate pydantic's errors into problems with dotted paths and plain messages."""
    out: list[Problem] = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for i, p in enumerate(err["loc"]) if isinstance(p, int) or not any(c in p for c in "[]()")
                    or (err["type"] == "extra_forbidden" and i == len(err["loc"]) - 1))  # a user's key stays
        path = ".".join(str(p) for p in loc)
        msg: str = err["msg"]
        kind = err["type"]
        if kind == "extra_forbidden":
            msg = _unknown_key(str(loc[-1]), _fields_at([str(p) for p in loc[:-1]]))
        elif kind == "missing":
            msg = "required field is missing"
        else:
            msg = msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
            if msg.startswith("@"):  # a model-level check that names a deeper field: "@path@message"
                sub, _, msg = msg[1:].partition("@")
                loc = loc + tuple(int(p) if p.isdigit() else p for p in sub.split("."))
                path = ".".join(str(p) for p in loc)
            msg = msg.replace("Input should be", "must be").replace("Input", "value")
            msg = re.sub(r"List should have at least (\d+) items? after validation, not \d+", r"must have at least \1 entry", msg)
        value = _lookup(data, loc) if kind != "missing" else _MISSING_VALUE
        code, params = _code(kind, err.get("ctx") or {})
        if dists and path in dists:
            code, params = None, {}  # the message speaks of the distribution too
            d = dists[path]
            if "integer" in msg:
                msg = "a whole number is required here; distributions are allowed only for real-valued inputs"
            else:
                msg = f"{msg} (the distribution's mean, {d.mean:g}, is the point value)"
        elif isinstance(value, (dict,)):
            value = _MISSING_VALUE  # a whole section: the message says what is wrong with it
        out.append(Problem(path, value, msg, code, params))
    # Problems are de-duplicated (a union can report the same field twice), order kept.
    seen: set[str] = set()
    return [p for p in out if not (str(p) in seen or seen.add(str(p)))]


#: pydantic's error types -> (problem code, the context entry that is its parameter), so that a page words them
#: in its language (``sibmodel.app.texts``); the English message stays as it is.
_CODES: dict[str, tuple[str, str | None]] = {
    "greater_than_equal": ("case.at_least", "ge"), "less_than_equal": ("case.at_most", "le"),
    "greater_than": ("case.above", "gt"), "less_than": ("case.below", "lt"), "missing": ("case.missing", None),
    "float_parsing": ("number.not_a_number", None), "float_type": ("number.not_a_number", None),
    "int_parsing": ("number.not_integer", None), "int_type": ("number.not_integer", None),
    "int_from_float": ("number.not_integer", None), "finite_number": ("number.not_finite", None),
    "literal_error": ("app.choice", "expected"), "too_short": ("case.too_short", "min_length"),
}


def _code(kind: str, ctx: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """The problem code and parameters of a pydantic error type (None: worded by its message only)."""
    if kind not in _CODES:
        return None, {}
    code, key = _CODES[kind]
    if key is None:
        return code, {}
    if key not in ctx:
        return None, {}
    return code, {"allowed" if key == "expected" else "limit": ctx[key]}


def case_schema() -> dict[str, Any]:
    """JSON Schema of the case file, for editor autocompletion and validation."""
    schema = _allow_distributions(Case.model_json_schema())
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "sibmodel case file"
    return schema


_DISTRIBUTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An uncertain input: {dist: beta, mean: 0.6, sd: 0.05} and the like (see docs/uncertainty.md)",
    "required": ["dist"],
    "properties": {"dist": {"enum": ["beta", "normal", "lognormal", "gamma", "triangular", "uniform", "pert"]},
                   **{k: {"type": "number"} for k in ("mean", "sd", "a", "b", "lower", "upper", "meanlog", "sdlog",
                                                      "shape", "scale", "low", "mode", "high")}},
    "additionalProperties": False,
}


def _allow_distributions(schema: dict[str, Any]) -> dict[str, Any]:
    """Let every ``number`` in the schema be a distribution too."""
    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if node.get("type") == "number":
                bare = {k: v for k, v in node.items() if k not in ("description", "title", "default")}
                rest = {k: v for k, v in node.items() if k in ("description", "title", "default")}
                return {**rest, "anyOf": [bare, {"$ref": "#/$defs/Distribution"}]}
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node
    out = walk(schema)
    out.setdefault("$defs", {})["Distribution"] = _DISTRIBUTION_SCHEMA
    return out

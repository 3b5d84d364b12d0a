"""The rules' settings of an authority: every key, its type, default and meaning.

PRODUCT.md: where the published QA frameworks differ, the rule is a setting with the default
named there. ``RuleSettings`` is both the typed object the services read and the registry the
command line lists: each field is one setting. Values are validated here, with no storage or
Slack imports; the service layer parses what the operator typed and stores it.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from datetime import time
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    StrictInt,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from bot.domain.directory import ROLE_KEYS
from bot.domain.grading_scale import OFSTED_SCALE, GradingScale, Key
from bot.domain.working_time import WorkingCalendar

__all__ = [
    "OFSTED_SCALE",
    "SETTINGS",
    "GradingScale",
    "RuleSettingError",
    "RuleSettings",
    "SettingSpec",
    "settings_from",
    "spec_for",
]


class RuleSettingError(ValueError):
    """A setting that does not exist, or a value it does not allow; one line, for people."""


# ------------------------------------------------------------------------------ value types

_CLOCK_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")


def _clock_time(value: Any) -> Any:
    # Only "HH:MM": a wall-clock time typed by an operator, never a datetime.
    if isinstance(value, str):
        match = _CLOCK_TIME.match(value.strip())
        if not match:
            raise ValueError("must be a time as HH:MM, e.g. 09:00")
        return time(int(match[1]), int(match[2]))
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {value!r}") from None
    return value


def _unique(values: tuple[str, ...]) -> tuple[str, ...]:
    repeated = sorted({v for v in values if values.count(v) > 1})
    if repeated:
        raise ValueError(f"repeats {', '.join(repeated)}")
    return values


def _channel(value: str) -> str:
    if value and not _CHANNEL_ID.match(value):
        raise ValueError("must be a Slack channel id like C0123ABCD, or empty")
    return value


def _roles(values: tuple[str, ...]) -> tuple[str, ...]:
    unknown = sorted(set(values) - set(ROLE_KEYS))
    if unknown:
        raise ValueError(f"unknown role {', '.join(unknown)}")
    return values


def _frequencies(value: dict[str, int]) -> dict[str, int]:
    if "default" not in value:
        raise ValueError('needs a "default" entry')
    unknown = sorted(set(value) - {"default", *ROLE_KEYS})
    if unknown:
        raise ValueError(f"unknown role {', '.join(unknown)}")
    return value


ClockTime = Annotated[
    time, BeforeValidator(_clock_time), PlainSerializer(lambda t: t.strftime("%H:%M"))
]
Timezone = Annotated[str, AfterValidator(_timezone)]
KeyList = Annotated[tuple[Key, ...], Field(min_length=1), AfterValidator(_unique)]
Count = Annotated[StrictInt, Field(ge=1, le=1000)]
NonNegative = Annotated[StrictInt, Field(ge=0, le=1000)]
Fraction = Annotated[float, Field(gt=0, le=1, strict=True)]
ChannelId = Annotated[str, AfterValidator(_channel)]
Frequencies = Annotated[dict[str, Count], AfterValidator(_frequencies)]
RoleList = Annotated[tuple[Key, ...], AfterValidator(_unique), AfterValidator(_roles)]


CASE_FILE_DOMAINS = (
    "child_voice",
    "assessment",
    "planning",
    "chronology",
    "management_oversight",
    "parent_engagement",
)
SUPERVISION_FILE_DOMAINS = (
    "frequency_and_recording",
    "reflective_discussion",
    "case_direction",
    "wellbeing_and_workload",
    "learning_and_development",
)
PRACTICE_OBSERVATION_DOMAINS = (
    "relationship_and_communication",
    "child_focus",
    "analysis_and_curiosity",
    "use_of_tools",
    "recording",
)


def _setting(default: Any, description: str, allowed: str) -> Any:
    # The description is what `qabot settings show` explains; `allowed` ends every error.
    return Field(default=default, description=description, json_schema_extra={"allowed": allowed})


# ------------------------------------------------------------------------------ the settings


class RuleSettings(BaseModel):
    """Every rule setting of one authority, defaults filled in (PRODUCT.md sections 2-7)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Working time and clocks (section 5).
    working_hours_start: ClockTime = _setting(time(9, 0), "start of working hours", "HH:MM")
    working_hours_end: ClockTime = _setting(time(17, 30), "end of working hours", "HH:MM")
    timezone: Timezone = _setting(
        "Europe/London", "the authority's timezone", "an IANA timezone, e.g. Europe/London"
    )
    alert_clock: Literal["working", "elapsed"] = _setting(
        "working", "Practice Alert clocks count working or elapsed time", "working or elapsed"
    )
    # Practice Alerts (section 4).
    alert_urgent_ack_hours: Count = _setting(
        2, "urgent alert: hours to acknowledge, per stage", "a whole number 1-1000"
    )
    alert_urgent_respond_days: Count = _setting(
        2, "urgent alert: days to respond, per stage", "a whole number 1-1000"
    )
    alert_standard_ack_days: Count = _setting(
        1, "standard alert: days to acknowledge, per stage", "a whole number 1-1000"
    )
    alert_standard_respond_days: Count = _setting(
        5, "standard alert: days to respond, per stage", "a whole number 1-1000"
    )
    alert_limit_days: Count = _setting(
        20, "days from raising after which the assistant director is told", "a whole number 1-1000"
    )
    # Cycles, allocation and moderation (section 2).
    default_cadence: Literal["6-weekly", "monthly", "quarterly", "6-monthly"] = _setting(
        "6-weekly", "cadence of audit cycles", "6-weekly, monthly, quarterly or 6-monthly"
    )
    default_per_auditor: Count = _setting(
        1, "audits per auditor in a cycle, unless the cycle says", "a whole number 1-1000"
    )
    default_lookback_months: Literal[6, 12] = _setting(
        6, "look-back window shown to auditors, in months", "6 or 12"
    )
    reaudit_months: NonNegative = _setting(
        12, "months before a case may be audited again", "a whole number 0-1000"
    )
    moderation_fraction: Fraction = _setting(
        1.0, "share of audits that are moderated", "a number above 0, at most 1"
    )
    moderation_blind: StrictBool = _setting(
        True, "moderators grade before seeing the auditor's grade", "true or false"
    )
    # The audit form (section 3).
    grading_scale: GradingScale = _setting(
        OFSTED_SCALE,
        "grades best to worst, which are below Good, which is Inadequate",
        'JSON like {"grades": [...], "below_good": [...], "inadequate": "..."}',
    )
    overall_grade_enabled: StrictBool = _setting(
        True, "audits give an overall grade", "true or false"
    )
    case_file_domains: KeyList = _setting(
        CASE_FILE_DOMAINS, "domains of a case-file audit", 'a JSON list of keys, e.g. ["a", "b"]'
    )
    thematic_domains: KeyList = _setting(
        CASE_FILE_DOMAINS, "domains of a thematic audit", 'a JSON list of keys, e.g. ["a", "b"]'
    )
    supervision_file_domains: KeyList = _setting(
        SUPERVISION_FILE_DOMAINS,
        "domains of a supervision-file audit",
        'a JSON list of keys, e.g. ["a", "b"]',
    )
    practice_observation_domains: KeyList = _setting(
        PRACTICE_OBSERVATION_DOMAINS,
        "domains of a practice observation",
        'a JSON list of keys, e.g. ["a", "b"]',
    )
    # Actions (section 5).
    action_due_months: Count = _setting(
        1, "months from submission to an action's default due date", "a whole number 1-1000"
    )
    action_verifier: Literal["team_manager", "auditor"] = _setting(
        "team_manager", "who verifies a done action", "team_manager or auditor"
    )
    action_nudge_before_days: NonNegative = _setting(
        3, "working days before due to nudge an action's owner", "a whole number 0-1000"
    )
    action_escalate_tm_days: Count = _setting(
        5, "working days overdue before the team manager is told", "a whole number 1-1000"
    )
    action_escalate_hos_days: Count = _setting(
        20, "working days overdue before the head of service is told", "a whole number 1-1000"
    )
    # Supervision and EPDR (section 5).
    supervision_frequency_weeks: Frequencies = _setting(
        {"default": 4},
        "weeks between supervisions, per role",
        'a JSON object of role key to weeks with a "default", e.g. {"default": 4}',
    )
    supervision_frequency_weeks_assessed_year: Count = _setting(
        2, "weeks between supervisions in the assessed first year", "a whole number 1-1000"
    )
    supervision_nudge_before_days: NonNegative = _setting(
        3, "working days before a supervision is due to nudge", "a whole number 0-1000"
    )
    supervision_escalate_days: Count = _setting(
        10, "working days overdue before the line manager is told", "a whole number 1-1000"
    )
    epdr_review_months: Count = _setting(
        6, "months between an EPDR and its review", "a whole number 1-1000"
    )
    # Nudges, reports, retention (sections 5-7).
    nudge_hours_only: StrictBool = _setting(
        True, "nudges only in working hours (urgent alerts always)", "true or false"
    )
    quarter_start_month: Annotated[StrictInt, Field(ge=1, le=12)] = _setting(
        4, "first month of the reporting year (4: financial quarters)", "a month number 1-12"
    )
    retention_supervision_years: Count = _setting(
        2, "years supervision records are kept after employment ends", "a whole number 1-1000"
    )
    oversight_channel: ChannelId = _setting(
        "", "private channel told of each Practice Alert (empty: none)", "a channel id, or empty"
    )
    # Scheduled reports (section 6): audit findings per cycle, the quarterly escalations.
    leadership_channel: ChannelId = _setting(
        "", "channel for the scheduled reports (empty: none)", "a channel id, or empty"
    )
    report_roles: RoleList = _setting(
        ("qa_lead",),
        "roles whose holders get the scheduled reports by direct message",
        'a JSON list of role keys, e.g. ["qa_lead", "head_of_service"], or []',
    )

    @model_validator(mode="after")
    def _hours_in_order(self) -> RuleSettings:
        if self.working_hours_start >= self.working_hours_end:
            raise ValueError("working_hours_start must be before working_hours_end")
        return self

    def calendar(self) -> WorkingCalendar:
        """The working-time calendar these settings describe."""
        return WorkingCalendar(
            timezone=self.timezone,
            day_start=self.working_hours_start,
            day_end=self.working_hours_end,
            elapsed=self.alert_clock == "elapsed",
        )


# ------------------------------------------------------------------------------ the registry


@dataclass(frozen=True)
class SettingSpec:
    """One setting: its key, default, meaning, what is allowed, and how to read a value."""

    key: str
    default: Any
    description: str
    allowed: str
    adapter: TypeAdapter[Any]
    plain_text: bool  # the operator types a plain string, not JSON

    def to_json(self, value: Any) -> str:
        """The value as stored: JSON of its plain form."""
        return json.dumps(self.adapter.dump_python(value, mode="json"), sort_keys=True)

    def show(self, value: Any) -> str:
        """The value as the operator would type it back (`""` for an empty string)."""
        plain = self.adapter.dump_python(value, mode="json")
        if isinstance(plain, str):
            return plain or '""'
        return json.dumps(plain)

    def parse(self, raw: str) -> Any:
        """Read a value typed by an operator: plain text, a number, true/false, or JSON."""
        text = raw.strip()
        try:
            if self.plain_text:
                # A quoted JSON string is accepted too, so that '""' can mean empty.
                if len(text) >= 2 and text[0] == text[-1] == '"':
                    text = json.loads(text)
                return self.adapter.validate_python(text)
            if self.adapter.json_schema().get("type") == "boolean":
                text = {"yes": "true", "no": "false"}.get(text.lower(), text.lower())
            return self.adapter.validate_json(text)
        except (ValidationError, ValueError) as exc:
            raise RuleSettingError(
                f"{self.key}: {_reason(exc, raw)}; allowed: {self.allowed}"
            ) from None

    def load(self, stored: str) -> Any:
        """Read a stored value; a value no longer valid is reported, never silently replaced."""
        try:
            return self.adapter.validate_json(stored)
        except ValidationError as exc:
            raise RuleSettingError(
                f"{self.key}: the stored value {stored} is no longer valid ({_reason(exc, None)});"
                f" set it again with `qabot settings set {self.key} VALUE`"
            ) from None


def _reason(exc: Exception, raw: str | None) -> str:
    """Pydantic's first complaint as a short phrase (the value, then why it is refused)."""
    if not isinstance(exc, ValidationError):
        return f"{raw!r} is not allowed ({exc})"
    error = exc.errors()[0]
    if error["type"] == "json_invalid":
        return f"{raw!r} is not allowed"
    message = str(error["msg"]).removeprefix("Value error, ")
    message = message[:1].lower() + message[1:]
    where = " ".join(f"item {p + 1}" if isinstance(p, int) else str(p) for p in error["loc"])
    if where:
        message = f"{where}: {message}"
    return message if raw is None else f"{raw!r} is not allowed ({message})"


def _specs() -> dict[str, SettingSpec]:
    specs = {}
    for key, field in RuleSettings.model_fields.items():
        adapter: TypeAdapter[Any] = TypeAdapter(field.rebuild_annotation())
        schema = adapter.json_schema()
        extra = field.json_schema_extra
        assert isinstance(extra, dict)
        specs[key] = SettingSpec(
            key=key,
            default=field.default,
            description=field.description or "",
            allowed=str(extra["allowed"]),
            adapter=adapter,
            plain_text=schema.get("type") == "string",
        )
    return specs


#: Every setting, in the order `qabot settings show` lists them.
SETTINGS: dict[str, SettingSpec] = _specs()


def spec_for(key: str) -> SettingSpec:
    """The setting with this key, or a RuleSettingError suggesting the nearest keys."""
    spec = SETTINGS.get(key)
    if spec is None:
        close = difflib.get_close_matches(key, SETTINGS, n=2)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        raise RuleSettingError(f"unknown setting {key!r}{hint} (`qabot settings show` lists them)")
    return spec


def settings_from(values: dict[str, Any]) -> RuleSettings:
    """Settings from already-validated values (missing keys take their defaults)."""
    try:
        return RuleSettings(**values)
    except ValidationError as exc:
        raise RuleSettingError(_reason(exc, None)) from None

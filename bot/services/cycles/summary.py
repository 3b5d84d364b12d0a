"""A draw's receipt in words for the QA lead: pools, sample, rules, exclusions, what failed."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.allocation import Receipt, Unplaced
from bot.services.cycles.inputs import Directory


@dataclass(frozen=True)
class DrawSummary:
    """What a draw did, with people and subjects named as the QA lead knows them."""

    complete: bool
    seed: int
    inputs_sha256: str
    audits_cases: bool
    auditor_pool: int
    moderator_pool: int
    sample_size: int
    drawn: int
    assignments: int
    moderated: int
    auditors_told: int  # what opening would send: one message per auditor ...
    teams_told: int  # ... one per manager of each of these teams ...
    workers_told: int  # ... and one per practitioner whose case (or file) is audited
    rules: tuple[str, ...]
    excluded_people: tuple[str, ...]
    excluded_subjects: tuple[str, ...]
    unplaced: tuple[str, ...]

    def lines(self) -> list[str]:
        """The summary as lines of plain text (the command line prints these)."""
        noun = "cases" if self.audits_cases else "practitioners"
        out = [
            f"draw: {'complete' if self.complete else 'INCOMPLETE: nothing was saved'}",
            f"seed: {self.seed} (inputs sha256 {self.inputs_sha256[:16]}…)",
            f"pool: {self.auditor_pool} auditors, {self.moderator_pool} moderators",
            f"sample: {self.sample_size} {noun} asked for, {self.drawn} drawn",
            f"assignments: {self.assignments} audits, {self.moderated} to be moderated",
            f"would tell: {self.auditors_told} auditors, the managers of {self.teams_told} "
            f"teams, {self.workers_told} practitioners",
            "rules:",
            *(f"  - {rule}" for rule in self.rules),
            f"excluded people: {len(self.excluded_people)}",
            *(f"  - {line}" for line in self.excluded_people),
            "excluded subjects:",
            *(f"  - {line}" for line in self.excluded_subjects or ("none",)),
            f"unplaced: {len(self.unplaced)}",
            *(f"  - {line}" for line in self.unplaced),
        ]
        return out


def _unplaced_line(item: Unplaced, directory: Directory, cases: bool) -> str:
    if item.kind in ("subject", "moderation"):
        what = directory.subject_label(item.id, cases=cases)
        if item.kind == "moderation":
            what = f"moderation of {what}"
    elif item.kind == "auditor":
        what = f"auditor {directory.emails.get(item.id, item.id)}"
    elif item.kind == "team":
        what = f"team {directory.team_names.get(item.id, item.id)}"
    else:
        what = "the cycle"
    return f"{what}: {item.reason}"


def summarise(receipt: Receipt, directory: Directory, *, audits_cases: bool) -> DrawSummary:
    """The receipt of a one-cycle draw, summarised for people."""
    [record] = receipt.cycles
    subject_reasons = [
        f"{len(group.subject_ids)} {'cases' if audits_cases else 'practitioners'}: {group.reason}"
        for group in receipt.excluded_subjects
    ]
    people = [
        f"{directory.emails.get(e.person_id, e.person_id)} ({e.pool} pool): {e.reason}"
        for e in receipt.excluded_people
    ]
    return DrawSummary(
        complete=receipt.complete,
        seed=receipt.seed,
        inputs_sha256=receipt.inputs_sha256,
        audits_cases=audits_cases,
        auditor_pool=len(record.auditor_pool),
        moderator_pool=len(record.moderator_pool),
        sample_size=record.sample_size,
        drawn=len(record.drawn),
        assignments=len(receipt.assignments),
        moderated=record.moderated,
        auditors_told=len({a.auditor_id for a in receipt.assignments}),
        teams_told=len({a.team_id for a in receipt.assignments}),
        workers_told=len({a.worker_id for a in receipt.assignments if a.worker_id}),
        rules=receipt.rules,
        excluded_people=tuple(people),
        excluded_subjects=tuple(subject_reasons),
        unplaced=tuple(_unplaced_line(u, directory, audits_cases) for u in receipt.unplaced),
    )

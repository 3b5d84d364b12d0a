"""The audit form's vocabulary: its kinds, steps, limits, labels and field keys.

Field keys are the modal's block ids too, so an error keyed by field is shown at its field.
"""

from __future__ import annotations

KINDS = ("case_file", "thematic", "supervision_file", "practice_observation")
#: A fixed number of action slots (bot/slack/audit_views.py says why).
ACTION_SLOTS = 5
#: Slack's plain_text_input limit; the modal sets it as max_length too.
MAX_TEXT = 3000
#: Each domain takes two blocks; a page of this many keeps a step far below Slack's 100.
DOMAINS_PER_PAGE = 8
DOMAINS, OVERALL, ACTIONS = "domains", "overall", "actions"

DOMAIN_LABELS = {
    "child_voice": "The child's voice",
    "assessment": "Quality of assessment",
    "planning": "Quality of planning",
    "chronology": "Use of chronology",
    "management_oversight": "Management grip and supervision",
    "parent_engagement": "Parent/carer engagement",
    "frequency_and_recording": "Frequency and recording",
    "reflective_discussion": "Reflective discussion",
    "case_direction": "Case direction",
    "wellbeing_and_workload": "Wellbeing and workload",
    "learning_and_development": "Learning and development",
    "relationship_and_communication": "Relationship and communication",
    "child_focus": "Focus on the child",
    "analysis_and_curiosity": "Analysis and curiosity",
    "use_of_tools": "Use of tools",
    "recording": "Recording",
}
KIND_LABELS = {
    "case_file": "Case file audit",
    "thematic": "Thematic audit",
    "supervision_file": "Supervision file audit",
    "practice_observation": "Practice observation",
}


def label(key: str) -> str:
    """A key as people read it: a domain's name, or a grade's (`requires_improvement`)."""
    return DOMAIN_LABELS.get(key) or key.replace("_", " ").capitalize()


# ------------------------------------------------------------------------- fields (block ids)
RATIONALE, CHILD_FEEDBACK, PRACTITIONER_FEEDBACK = "rationale", "child_feedback", "pr_feedback"
OVERALL_GRADE, WITH_PRACTITIONER = "overall_grade", "with_practitioner"
URGENT, CONCERN = "urgent_concern", "concern"


def grade_field(domain: str) -> str:
    """The field of a domain's grade."""
    return f"grade:{domain}"


def comment_field(domain: str) -> str:
    """The field of a domain's comment."""
    return f"comment:{domain}"


def action_field(slot: int, part: str) -> str:
    """The field of one part (what, owner, due, good) of the action in a slot (1-based)."""
    return f"action:{slot}:{part}"

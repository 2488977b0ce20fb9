"""What a call needs from the queue: its priority tier and the class of agent who may take it."""

from __future__ import annotations

from collections.abc import Iterable

from calls.models import Call
from cases.models import Case
from queueing.desk import AcdConfig
from roster.models import Agent


def priority_for(call: Call, case: Case | None, config: AcdConfig) -> int:
    """Return the caller's tier: Enhanced Rights, then authenticated, then everyone else."""
    if call.authenticated and case is not None and case.enhanced_rights:
        return config.priority_enhanced
    if call.authenticated:
        return config.priority_authenticated
    return config.priority_default


def skill_for(offence: str | None, config: AcdConfig) -> str:
    """Return the specialist skill the offence calls for, or "" when any agent will do."""
    text = (offence or "").lower()
    return next((skill for word, skill in config.offence_skills if word in text), "")


def class_for(language: str, skill: str) -> str:
    """Return the requirement class "lang|skill" a waiting entry is filed under."""
    return f"{language}|{skill}"


def call_class(call: Call, case: Case | None, config: AcdConfig) -> str:
    """Return the class for a call: its language, and the skill its case needs if authenticated."""
    skill = skill_for(case.offence, config) if call.authenticated and case else ""
    return class_for(call.language or "en-GB", skill)


def agent_classes(agent: Agent) -> list[str]:
    """Return every class the agent can serve: each language alone and with each skill."""
    return sorted(
        class_for(lang, skill)
        for lang in _clean(agent.languages or ["en-GB"])
        for skill in ("", *_clean(agent.skills or []))
    )


def _clean(values: Iterable[str]) -> list[str]:
    return [v for v in values if v and "," not in v and "|" not in v]

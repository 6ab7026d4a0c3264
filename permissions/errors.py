"""The domain's refusals: raised by the workflow, the services and the checks of who may
act, each with a message that can be shown to the person as it is."""

from __future__ import annotations


class WorkflowError(Exception):
    """An action was refused. The message is for the person who tried it."""

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class TransitionNotAllowed(WorkflowError):
    """The action is not open to this person, in this state, or with this input."""


class AlreadyDecided(WorkflowError):
    """Someone else acted first; the request is no longer where the actor saw it."""

"""What the apps' `metrocoop <app> <verb> …` commands share: verbs as subcommands with a `--json` switch, the
acting user, and refusals reported as a command error rather than a traceback."""

from __future__ import annotations

import argparse

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from metrocoop.core.choices import Role
from metrocoop.core.models import User


def add_verb(sub, name: str, help: str, *, json: bool = True) -> argparse.ArgumentParser:
    """Add the verb `name` to a command's subparsers, with the `--json` switch (machine output) unless told not to."""
    parser = sub.add_parser(name, help=help)
    if json:
        parser.add_argument("--json", action="store_true")
    return parser


def acting_user(username: str | None) -> User:
    """The active user named `username`, or without a name the first office account (the one a script acts as)."""
    if username:
        try:
            return User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"无此用户 No such active user: {username}") from None
    user = User.objects.filter(is_active=True, role_assignments__role=Role.OFFICE).order_by("pk").first()
    if user is None:
        raise CommandError("没有办公室账户，请用 --user  No office account; pass --user")
    return user


class VerbCommand(BaseCommand):
    """A command whose first argument is a verb, carried out by the method `do_<verb>` (a dash becomes an underscore).

    An exception of a type in `refused` ends the command with `refusal(exc)` as its error message."""

    requires_system_checks: list = []  # data work; `metrocoop check` covers the checks
    refused: tuple[type[Exception], ...] = (ValidationError, PermissionDenied)

    def add_arguments(self, parser):
        self.add_verbs(parser.add_subparsers(dest="verb", required=True))

    def add_verbs(self, sub) -> None:
        """Add each verb's parser to `sub` (`add_verb`)."""
        raise NotImplementedError

    def handle(self, *args, verb, **options):
        try:
            getattr(self, "do_" + verb.replace("-", "_"))(**options)
        except self.refused as exc:
            raise CommandError(self.refusal(exc)) from exc

    def refusal(self, exc: Exception) -> str:
        return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)

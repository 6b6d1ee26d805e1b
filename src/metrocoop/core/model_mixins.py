"""Pieces every app's models share: the links most rows carry (to the person who acted on the row, to a member
city, to another row set later in its life), the status field of a row that moves through states, and the detail
page of a row that has one.

The factories return ordinary Django fields, so a model using them has exactly the columns, names and migrations
it had when it spelled the field out; they only say once what a link to a user or a city looks like here
(`on_delete=PROTECT`, no reverse accessor unless one is asked for).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

CITY = _("city")
STATUS = _("status")


def link_to(
    to,
    verbose_name=None,
    *,
    related_name: str = "+",
    on_delete=models.PROTECT,
    optional: bool = False,
    one_to_one: bool = False,
    **options,
) -> models.ForeignKey:
    """A foreign key (a one-to-one link with `one_to_one`) to `to`: protected, with no reverse accessor unless
    `related_name` names one. `optional` makes it nullable and blank in forms, for a link set later in the row's
    life (who decided, the ledger transfer once posted) or one that only some rows have."""
    if verbose_name is not None:
        options["verbose_name"] = verbose_name
    if optional:
        options.update(null=True, blank=True)
    field = models.OneToOneField if one_to_one else models.ForeignKey
    return field(to, on_delete=on_delete, related_name=related_name, **options)


def user_link(verbose_name=None, **options) -> models.ForeignKey:
    """A link to the person who did something to the row (created, submitted, decided or reviewed it)."""
    return link_to(settings.AUTH_USER_MODEL, verbose_name, **options)


def city_link(verbose_name=CITY, **options) -> models.ForeignKey:
    """A link to a member city: the city a row belongs to (its scope for `core.permissions`) or one it names."""
    return link_to("core.City", verbose_name, **options)


def transfer_link(verbose_name=None, **options) -> models.OneToOneField:
    """The ledger transfer that moved this row's money: each transfer belongs to one row (`optional` while the
    money has not moved yet)."""
    return link_to("ledger.Transfer", verbose_name, one_to_one=True, **options)


def status_field(choices: type[models.TextChoices], *, max_length: int, verbose_name=STATUS, **options):
    """The state of a row that moves through the states of `choices` (its services make each move)."""
    return models.CharField(verbose_name, max_length=max_length, choices=choices.choices, **options)


class DetailPageMixin:
    """`get_absolute_url` of a row with a page of its own: the URL named `detail_url_name`, given the value of the
    row's `detail_url_field` (its primary key unless the model names another field, such as a code)."""

    detail_url_name: str
    detail_url_field = "pk"

    def get_absolute_url(self) -> str:
        return reverse(self.detail_url_name, args=[getattr(self, self.detail_url_field)])

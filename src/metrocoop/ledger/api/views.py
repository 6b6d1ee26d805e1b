from django.db import IntegrityError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from metrocoop.core.api.base import ScopedReadOnlyViewSet, ServiceModelViewSet
from metrocoop.core.errors import Conflict
from metrocoop.ledger import engine
from metrocoop.ledger.api.serializers import AccountSerializer, TransferSerializer
from metrocoop.ledger.filtersets import AccountFilter, TransferFilter
from metrocoop.ledger.models import Account, Transfer
from metrocoop.ledger.services import IdempotencyConflict, InvalidTransfer, PostedTransfer, do_post_transfer


class AccountViewSet(ScopedReadOnlyViewSet):
    queryset = Account.objects.select_related("city")
    serializer_class = AccountSerializer
    filterset_class = AccountFilter


def _post_transfer(data: dict, *, actor) -> PostedTransfer:
    try:
        transfer = engine.Transfer(
            id=data["client_id"],
            debit_account=data["debit_account"].code,
            credit_account=data["credit_account"].code,
            amount_fen=int(data["amount_fen"]),
            code=data["code"],
            memo=data.get("memo", ""),
        )
        return do_post_transfer(transfer, actor=actor)
    except IdempotencyConflict as exc:
        raise Conflict(
            "同一请求编号已用于不同内容，未作任何修改。 This client id was already used with other content; "
            f"nothing was changed. ({exc})"
        ) from exc
    except (InvalidTransfer, IntegrityError) as exc:
        raise ValidationError({"non_field_errors": [str(exc)]}) from exc


@extend_schema_view(create=extend_schema(responses={201: TransferSerializer, 200: TransferSerializer}))
class TransferViewSet(ServiceModelViewSet):
    """Transfers, immutable. POST posts one, idempotent by `client_id`: the same id with the same content answers
    200 with the original, the same id with other content 409 and changes nothing."""

    queryset = Transfer.objects.select_related("debit_account", "credit_account", "reverses")
    serializer_class = TransferSerializer
    filterset_class = TransferFilter
    create_service = _post_transfer

    def written_response(self, serializer, code):
        result = serializer.instance
        code = status.HTTP_201_CREATED if result.status == "new" else status.HTTP_200_OK
        return Response(self.get_serializer(result.transfer).data, status=code)

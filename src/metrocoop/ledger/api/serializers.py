from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from metrocoop.ledger.models import Account, Transfer


class AccountSerializer(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Account
        fields = ["id", "code", "name_zh", "name_en", "kind", "city", "owner_app", "balance_fen", "created_at"]


class TransferSerializer(serializers.ModelSerializer):
    """A posted transfer. On create, `client_id` is the idempotency key: the same id and content answers 200 with
    the original, the same id with other content answers 409 and changes nothing."""

    debit_account = serializers.SlugRelatedField(slug_field="code", queryset=Account.objects.all())
    credit_account = serializers.SlugRelatedField(slug_field="code", queryset=Account.objects.all())
    reverses = serializers.SerializerMethodField()

    class Meta:
        model = Transfer
        fields = [
            "id", "client_id", "content_hash", "debit_account", "credit_account", "amount_fen", "code", "memo",
            "reverses", "created_at", "chain_index", "prev_hash", "entry_hash",
        ]  # fmt: skip
        read_only_fields = ["content_hash", "created_at", "chain_index", "prev_hash", "entry_hash"]
        extra_kwargs = {"client_id": {"validators": []}, "memo": {"required": False}}

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_reverses(self, obj: Transfer) -> str | None:
        return obj.reverses.client_id if obj.reverses_id else None

    def validate_amount_fen(self, value: int) -> int:
        if value <= 0:
            raise serializers.ValidationError("金额须为正整数（分）。 The amount must be a positive number of fen.")
        return value

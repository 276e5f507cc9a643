"""Request input validated exactly as the OpenAPI schema states it.

DRF is lenient where the schema is not: a JSON ``{"name": 0}`` passes a
``CharField`` as ``"0"``, ``"5"`` passes an ``IntegerField``, an empty form or
query value (``?uploader=``) of an optional field counts as absent, and a
parameter given twice quietly uses the last value. The schema says
``name: string, minLength 1``, ``page_size: integer`` (once), so those
requests are refused here with the API's usual 400 and the field's message.

Serializers of request bodies and query parameters derive from
``StrictInput``. One with ``at_least_one = True`` (an update whose fields
are all optional) refuses a body that names none of them, and the schema
says so (``minProperties: 1``, set by ``schema_min_properties``).
"""

from __future__ import annotations

from collections.abc import Mapping

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

ONCE = "Give this parameter once."
FORM_BOOLEANS = ("true", "false")


def _json_type_error(field: serializers.Field, value) -> str | None:
    """Why ``value`` (decoded JSON) is not of the type the schema gives
    ``field``, or None. Values inside strings are the field's own business."""
    if value is None:
        return None if field.allow_null else "This field may not be null."
    if isinstance(field, (serializers.CharField, serializers.DateTimeField, serializers.DateField)):
        return None if isinstance(value, str) else "Not a valid string."
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else "Must be true or false."
    if isinstance(field, serializers.IntegerField):
        return None if isinstance(value, int) and not isinstance(value, bool) else "A valid integer is required."
    if isinstance(field, serializers.FloatField):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if ok else "A valid number is required."
    if isinstance(field, serializers.ChoiceField):
        return None if isinstance(value, str) else "Not a valid string."
    if isinstance(field, serializers.ListField):
        if not isinstance(value, list):
            return "Expected a list of items."
        wrong = next((problem for item in value if (problem := _json_type_error(field.child, item))), None)
        return f"Every item: {wrong}" if wrong else None
    return None


def _many(field) -> bool:
    return isinstance(field, (serializers.ListField, serializers.MultipleChoiceField))


_AT_LEAST_ONE: set[str] = set()


class StrictInput(serializers.Serializer):
    at_least_one = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.at_least_one:
            _AT_LEAST_ONE.add(cls.__name__.removesuffix("Serializer"))

    def validate(self, attrs):
        if self.at_least_one and not attrs:
            raise ValidationError(f"Give at least one of: {', '.join(self.fields)}.")
        return super().validate(attrs)

    def to_internal_value(self, data):
        if hasattr(data, "getlist"):
            # Query string or form: every value is a string; one per name.
            plain, errors = {}, {}
            for key in data.keys():
                values = data.getlist(key)
                field = self.fields.get(key)
                if field is not None and _many(field):
                    plain[key] = values
                elif len(values) > 1 and field is not None:
                    errors[key] = [ONCE]
                else:
                    plain[key] = values[-1]
                    if isinstance(field, serializers.BooleanField) and plain[key] not in FORM_BOOLEANS:
                        # The schema's boolean, written as text: "true" or "false", not "0", "yes" or "on".
                        errors[key] = ['Must be "true" or "false".']
            if errors:
                raise ValidationError(errors)
            data = plain
        elif isinstance(data, Mapping):
            errors = {}
            for name, field in self.fields.items():
                if field.read_only or name not in data:
                    continue
                problem = _json_type_error(field, data[name])
                if problem:
                    errors[name] = [problem]
            if errors:
                raise ValidationError(errors)
        return super().to_internal_value(data)


def schema_min_properties(result, generator, request, public):
    """drf-spectacular hook: ``minProperties: 1`` on the request bodies of
    ``at_least_one`` serializers, and such a body is required."""
    names = {name for name in result.get("components", {}).get("schemas", {})
             if name.removesuffix("Request") in _AT_LEAST_ONE}
    for name in names:
        result["components"]["schemas"][name]["minProperties"] = 1
    refs = {f"#/components/schemas/{name}" for name in names}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            if body and any(media.get("schema", {}).get("$ref") in refs for media in body.get("content", {}).values()):
                body["required"] = True
    return result

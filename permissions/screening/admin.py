"""The phrase lists in the admin, every change on the audit chain like the grounds'."""

from __future__ import annotations

from django.contrib import admin

from permissions.admin import AuditedAdmin

from .models import Phrase


@admin.register(Phrase)
class PhraseAdmin(AuditedAdmin[Phrase]):
    list_display = ["phrase", "ground", "language", "example", "is_active"]
    list_filter = ["language", "is_active", "ground"]
    search_fields = ["phrase", "example", "ground__title"]
    list_editable = ["is_active"]
    list_select_related = ["ground", "ground__rule"]
    autocomplete_fields = ["ground"]
    ordering = ["ground__sort_key", "language", "phrase"]

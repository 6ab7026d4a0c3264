"""E-mails: rendered from templates/emails/<name>-subject.txt, -body.txt and -body.html."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, Node, Template, Variable
from django.template.base import FilterExpression, TextNode, TokenType, VariableNode
from django.template.defaulttags import CommentNode, LoadNode
from django.template.loader import get_template
from django.template.loader_tags import ExtendsNode
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.utils import translation


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render(name: str, context: dict[str, Any], *, language: str = "") -> Rendered:
    """Subject, plain text and HTML of one kind of mail, in `language` (the portal's
    default when not given)."""
    return render_many(name, [context], language=language)[0]


def language_of(person: Any) -> str:
    """The language a person's mail is written in: the one they chose, else the
    portal's default."""
    chosen = getattr(person, "language", "") or ""
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def render_many(
    name: str, contexts: Sequence[dict[str, Any]], *, language: str = ""
) -> list[Rendered]:
    """`render` for many mails of one kind at once (a job's batch).

    A batch's mails differ only here and there: the reminders of one request differ in
    the greeting, and the greeting to an officer is the same for all their requests.
    So each piece of a template is rendered once per distinct set of values it reads;
    see _Parts."""
    with translation.override(language or settings.LANGUAGE_CODE):
        # Subjects and plain-text bodies are not HTML: rendered without autoescaping.
        subjects = _Parts(f"emails/{name}-subject.txt", autoescape=False)
        texts = _Parts(f"emails/{name}-body.txt", autoescape=False)
        htmls = _Parts(f"emails/{name}-body.html", autoescape=True)
        rendered = []
        for given in contexts:
            context = {"portal_url": settings.PORTAL_URL, **given}
            subject = " ".join(subjects.render(context).split())
            text = texts.render(context).strip() + "\n"
            html = htmls.render({**context, "subject": subject, "body_text": text})
            rendered.append(Rendered(subject=subject[:250], text=text, html=html))
    return rendered


# --- rendering a template's pieces once each ---------------------------------------------

_MISSING = object()
# Values compared by what they are; any other value (a person, a request) by which
# object it is: two people with the same pk but different names are never taken for
# one. Nothing changes an object while a batch renders, and every object a batch reads
# lives until it ends, so an object's id is not reused within it.
_BY_VALUE = frozenset({str, int, bool, type(None)})


def _reads(expression: FilterExpression | None) -> set[str]:
    """The context names a variable with its filters reads."""
    if expression is None:
        return set()
    variables = [expression.var] + [
        argument
        for _filter, arguments in expression.filters
        for looked_up, argument in arguments
        if looked_up
    ]
    return {
        variable.lookups[0]
        for variable in variables
        if isinstance(variable, Variable) and variable.lookups
    }


def _node_reads(node: Node) -> set[str] | None:
    """The context names a node's output depends on; None for a node that may depend on
    anything or change the context (any tag not listed here)."""
    if isinstance(node, _NOTHING):
        return set()
    if isinstance(node, VariableNode):
        return _reads(node.filter_expression)
    if isinstance(node, TranslateNode) and not node.asvar:
        return _reads(node.filter_expression) | _reads(node.message_context)
    if isinstance(node, BlockTranslateNode) and not node.asvar:
        names = (
            {
                token.contents
                for token in [*node.singular, *(node.plural or [])]
                if token.token_type == TokenType.VAR
            }
            - set(node.extra_context)
            - {node.countervar}
        )
        for expression in [*node.extra_context.values(), node.counter, node.message_context]:
            names |= _reads(expression)
        return names
    return None


class _Parts:
    """One template, rendered piece by piece: the output of a template is its top-level
    nodes' outputs end to end, and most nodes (text, a variable, a translation) depend
    only on the context names they read. A piece is a run of nodes that read the same
    names (text reads none, and joins the piece before it); its output is kept for the
    values it read, for the life of this object (one batch). A template with any other
    tag is rendered whole every time."""

    def __init__(self, template_name: str, *, autoescape: bool) -> None:
        self.template: Template = get_template(template_name).template  # type: ignore[attr-defined]
        self.autoescape = autoescape
        nodes = list(self.template.nodelist)
        layout = _layout(nodes, template_name)
        if layout is not None:
            nodes = list(get_template(layout).template.nodelist)  # type: ignore[attr-defined]
        self.pieces: list[tuple[list[Node], tuple[str, ...]]] | None = []
        for node in nodes:
            reads = _node_reads(node)
            if reads is None:
                self.pieces = None
                break
            names = tuple(sorted(reads))
            if self.pieces and (isinstance(node, _NOTHING) or self.pieces[-1][1] == names):
                self.pieces[-1][0].append(node)
            else:
                self.pieces.append(([node], names))
        self.kept: list[dict[tuple[object, ...], str]] = [{} for _ in self.pieces or ()]

    def _bound(self, context: dict[str, Any]) -> Context:
        """The context a piece renders in, bound to the template as Template.render binds
        it (the pieces read its engine's settings); used for one mail, then dropped."""
        bound = Context(context, autoescape=self.autoescape)
        bound.template = self.template
        return bound

    def render(self, context: dict[str, Any]) -> str:
        if self.pieces is None:
            return str(self.template.render(Context(context, autoescape=self.autoescape)))
        keys = [
            tuple([_identity(context.get(name, _MISSING)) for name in names])
            for _nodes, names in self.pieces
        ]
        missing = [n for n, key in enumerate(keys) if key not in self.kept[n]]
        if missing:
            bound = self._bound(context)
            for n in missing:
                self.kept[n][keys[n]] = "".join(
                    [str(node.render_annotated(bound)) for node in self.pieces[n][0]]
                )
        return "".join([kept[key] for kept, key in zip(self.kept, keys, strict=True)])


# Nodes whose output is always the same, and costs nothing to render again.
_NOTHING = (TextNode, LoadNode, CommentNode)


def _layout(nodes: list[Node], template_name: str) -> str | None:
    """The layout a mail extends when it overrides no block of it, and so renders as
    the layout itself."""
    if len(nodes) != 1 or not isinstance(nodes[0], ExtendsNode) or nodes[0].blocks:
        return None
    parent = nodes[0].parent_name
    if not isinstance(parent, FilterExpression) or not isinstance(parent.var, str):
        return None
    return parent.var if parent.var != template_name else None


def _identity(value: object) -> tuple[object, ...]:
    kind = type(value)
    return (kind, value) if kind in _BY_VALUE else (None, id(value))


def message_id(dedupe_key: str) -> str:
    """The same notification always carries the same Message-ID, so a resend after a
    crash between 'sent' and 'marked sent' is recognisable as the same mail."""
    digest = hashlib.sha256(dedupe_key.encode()).hexdigest()[:40]
    return f"<{digest}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


def make_message(
    *, to: str, subject: str, text: str, html: str, dedupe_key: str
) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Message-ID": message_id(dedupe_key), "Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return message

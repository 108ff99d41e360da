from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

PARAGRAPH_FEATURES = ["bold", "italic", "ol", "ul", "link", "document-link"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("heading"), max_length=200)
    level = blocks.ChoiceBlock(
        label=_("level"), choices=[("h2", _("heading")), ("h3", _("subheading"))], default="h2"
    )

    class Meta:
        icon = "title"
        template = "notices/blocks/heading.html"


class ImageWithAltBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    alt_text = blocks.CharBlock(
        label=_("alternative text"),
        max_length=300,
        help_text=_("Describe what the image shows for people who cannot see it."),
    )
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=300)

    class Meta:
        icon = "image"
        template = "notices/blocks/image.html"


class AttachmentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("document"))
    title = blocks.CharBlock(
        label=_("link text"),
        required=False,
        max_length=200,
        help_text=_("Empty: the document's title."),
    )

    class Meta:
        icon = "doc-full"
        template = "notices/blocks/attachment.html"


class OptionalPageChooserBlock(blocks.PageChooserBlock):
    """A page chooser that may be left empty: where every value read is empty, no lookup
    (Wagtail would build and compile a query for pages to find none, 0.5 ms a notice page)."""

    def bulk_to_python(self, values):
        if all(value is None for value in values):
            return [None] * len(values)
        return super().bulk_to_python(values)


class LinkBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("link text"), max_length=200)
    page = OptionalPageChooserBlock(label=_("page of this portal"), required=False)
    url = blocks.URLBlock(label=_("other address"), required=False)

    class Meta:
        icon = "link"
        template = "notices/blocks/link.html"

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("page")) == bool(value.get("url")):
            raise blocks.StructBlockValidationError(
                block_errors={"url": ValidationError(_("Choose either a page or an address."))}
            )
        return value


class NoticeBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(label=_("paragraph"), features=PARAGRAPH_FEATURES)
    heading = HeadingBlock(label=_("heading"))
    image = ImageWithAltBlock(label=_("image"))
    table = TableBlock(
        label=_("table"),
        table_options={
            "contextMenu": [
                "row_above",
                "row_below",
                "col_left",
                "col_right",
                "remove_row",
                "remove_col",
                "undo",
                "redo",
            ]
        },
        template="notices/blocks/table.html",
    )
    attachment = AttachmentBlock(label=_("attachment"))
    link = LinkBlock(label=_("link"))

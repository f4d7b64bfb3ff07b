"""Library images in Markdown: ``![alt text](image:42)`` places image 42 from the library.

The reference is resolved when the story is saved, so ``body_html`` holds a finished
``<picture>`` with final URLs. An image alone in its paragraph becomes a ``<figure>`` with the
library's caption and credit. An unknown id leaves nothing for readers and a warning for the
editor (``rendering.find_image_warnings``).
"""

import xml.etree.ElementTree as etree

from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .library import library_images, picture_context

# After Python-Markdown's inline processor (priority 20) has turned ![..](..) into <img>.
PRIORITY = 15


class LibraryImageExtension(Extension):
    """Resolve ``image:<id>`` image sources to the library's responsive pictures."""

    def extendMarkdown(self, md):  # noqa: N802 (Python-Markdown's API name)
        md.treeprocessors.register(LibraryImageProcessor(md), "library_images", PRIORITY)


class LibraryImageProcessor(Treeprocessor):
    def run(self, root):
        from ..rendering import library_image_id

        parents = {child: parent for parent in root.iter() for child in parent}
        placed = [img for img in root.iter("img") if library_image_id(img.get("src")) is not None]
        if not placed:
            return
        found = library_images({library_image_id(img.get("src")) for img in placed})
        for img in placed:
            parent = parents[img]
            image = found.get(library_image_id(img.get("src")))
            if image is None:
                if _stands_alone(parent, img):
                    parents[parent].remove(parent)
                else:
                    _replace(parent, img, None)
                continue
            picture = picture_element(picture_context(image, alt=img.get("alt") or None))
            if _stands_alone(parent, img):
                parent.tag = "figure"
                parent.text = None
                _replace(parent, img, picture)
                caption = figcaption_element(image.caption, image.credit)
                if caption is not None:
                    parent.append(caption)
            else:
                _replace(parent, img, picture)


def picture_element(context: dict) -> etree.Element:
    """A ``<picture>`` element from ``picture_context``; the same markup as picture.html."""
    picture = etree.Element("picture")
    for source in context["sources"]:
        etree.SubElement(
            picture,
            "source",
            {"type": source["type"], "srcset": source["srcset"], "sizes": context["sizes"]},
        )
    attributes = {"src": context["src"], "alt": context["alt"]}
    if context["srcset"]:
        attributes.update(srcset=context["srcset"], sizes=context["sizes"])
    attributes.update(
        width=str(context["width"]), height=str(context["height"]), loading=context["loading"]
    )
    etree.SubElement(picture, "img", attributes)
    return picture


def figcaption_element(caption: str, credit: str) -> etree.Element | None:
    """A ``<figcaption>`` with the caption and the credit, or None when both are empty."""
    if not (caption or credit):
        return None
    figcaption = etree.Element("figcaption")
    figcaption.text = caption or None
    if credit:
        etree.SubElement(figcaption, "span", {"class": "credit"}).text = credit
    return figcaption


def _stands_alone(parent: etree.Element, img: etree.Element) -> bool:
    return (
        parent.tag == "p"
        and len(parent) == 1
        and not (parent.text or "").strip()
        and not (img.tail or "").strip()
    )


def _replace(parent: etree.Element, old: etree.Element, new: etree.Element | None) -> None:
    """Put ``new`` where ``old`` was (or nothing), keeping the text that followed ``old``."""
    index = list(parent).index(old)
    parent.remove(old)
    if new is not None:
        new.tail = old.tail
        parent.insert(index, new)
    elif old.tail:
        if index:
            parent[index - 1].tail = (parent[index - 1].tail or "") + old.tail
        else:
            parent.text = (parent.text or "") + old.tail

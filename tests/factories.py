"""Test data: a published story by default; ``draft``, ``scheduled`` and friends as traits."""

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from articles.models import (
    Article,
    Author,
    Byline,
    Category,
    Correction,
    Organization,
    OrganizationDomain,
)
from articles.roles import EDITOR, REPORTER


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@newsroom.test")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or "correct horse battery")
        if create:
            self.save(update_fields=["password"])

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """``roles=[EDITOR]``: the groups the role migrations made."""
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))


def with_roles(*names):
    """A ``roles`` declaration whose default is these groups."""

    def add_groups(user, create, extracted, **kwargs):
        if create:
            user.groups.add(*Group.objects.filter(name__in=extracted or names))

    return factory.PostGeneration(add_groups)


class ReporterFactory(UserFactory):
    """A reporter with a login to the admin and an author profile that signs stories."""

    is_staff = True
    roles = with_roles(REPORTER)
    author_profile = factory.RelatedFactory(
        "tests.factories.AuthorFactory", factory_related_name="user"
    )


class EditorFactory(UserFactory):
    is_staff = True
    roles = with_roles(EDITOR)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Sección {n}")
    slug = factory.Sequence(lambda n: f"seccion-{n}")


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Autora {n}")
    slug = factory.Sequence(lambda n: f"autora-{n}")
    bio = "Periodista de datos."


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organización {n}")
    slug = factory.Sequence(lambda n: f"organizacion-{n}")
    website = factory.LazyAttribute(lambda org: f"https://{org.slug}.org.mx")

    @factory.post_generation
    def domains(self, create, extracted, **kwargs):
        if create:
            for domain in extracted if extracted is not None else [f"{self.slug}.org.mx"]:
                OrganizationDomain.objects.create(organization=self, domain=domain)


class ArticleFactory(factory.django.DjangoModelFactory):
    """A published story with one author and a section; pass ``authors=[...]`` for a byline."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    headline = factory.Sequence(lambda n: f"Historia número {n}")
    slug = factory.Sequence(lambda n: f"historia-{n}")
    dek = "Un resumen de la historia."
    summary = "Lo que hay que saber."
    body = "Un párrafo con **negritas** y un [enlace](https://example.org/)."
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    category = factory.SubFactory(CategoryFactory)

    class Params:
        draft = factory.Trait(status=Article.Status.DRAFT, published_at=None)
        in_review = factory.Trait(status=Article.Status.IN_REVIEW, published_at=None)
        scheduled = factory.Trait(
            published_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
        )
        unpublished = factory.Trait(status=Article.Status.UNPUBLISHED)

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if create:
            for position, author in enumerate(
                extracted if extracted is not None else [AuthorFactory()]
            ):
                Byline.objects.create(article=self, author=author, position=position)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)

    @factory.post_generation
    def organizations(self, create, extracted, **kwargs):
        if create and extracted:
            self.organizations.add(*extracted)


class CorrectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Correction

    article = factory.SubFactory(ArticleFactory)
    text = "La cifra correcta es 42, no 24."


def image_bytes(image_format="JPEG", size=(800, 600), mode="RGB", **save_options) -> bytes:
    """A real image file made with Pillow: a gradient, so encoders have something to encode."""
    import io

    from PIL import Image as PillowImage

    # Red grows from left to right and green from top to bottom: crops can be told apart.
    vertical = PillowImage.linear_gradient("L")
    horizontal = vertical.transpose(PillowImage.Transpose.ROTATE_90)
    channels = (horizontal.resize(size), vertical.resize(size), vertical.resize(size))
    picture = PillowImage.merge("RGB", channels).convert(mode)
    buffer = io.BytesIO()
    picture.save(buffer, image_format, **save_options)
    return buffer.getvalue()


def image_upload(name="foto.jpg", content=None, **image_options):
    """An uploaded file as a form or ``store_uploaded_image`` receives it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        name, content if content is not None else image_bytes(**image_options)
    )


class ImageFactory(factory.django.DjangoModelFactory):
    """A library image stored the one supported way, with its renditions made."""

    class Meta:
        model = "articles.Image"

    alt = factory.Sequence(lambda n: f"Descripción de la foto {n}")
    caption = "Pie de foto."
    credit = "Fotógrafa"

    @classmethod
    def _create(cls, model_class, *args, file=None, size=(800, 600), user=None, **kwargs):
        from articles.images import store_uploaded_image

        return store_uploaded_image(file=file or image_upload(size=size), user=user, **kwargs)

"""The admin's lists of authors, sections, organizations and tags count each one's stories."""

import pytest
from django.urls import reverse
from taggit.models import Tag

from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CategoryFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.django_db


def story_with(subject_kind, subject):
    """A story about this subject; drafts count too, as in the story list."""
    if subject_kind == "category":
        return ArticleFactory(category=subject, draft=True)
    if subject_kind == "author":
        return ArticleFactory(authors=[subject])
    if subject_kind == "organization":
        return ArticleFactory(organizations=[subject])
    return ArticleFactory(tags=[subject.name])


SUBJECTS = {
    "category": ("admin:articles_category_changelist", CategoryFactory),
    "author": ("admin:articles_author_changelist", AuthorFactory),
    "organization": ("admin:articles_organization_changelist", OrganizationFactory),
    "tag": ("admin:taggit_tag_changelist", lambda: Tag.objects.create(name="tema")),
}


@pytest.mark.parametrize("subject_kind", SUBJECTS)
def test_each_subject_shows_how_many_stories_it_has_and_sorts_by_it(editor_client, subject_kind):
    url_name, make = SUBJECTS[subject_kind]
    busy, quiet = make(), make() if subject_kind != "tag" else Tag.objects.create(name="otro")
    for _ in range(3):
        story_with(subject_kind, busy)
    story_with(subject_kind, quiet)
    column = list(editor_client.get(reverse(url_name)).context["cl"].list_display).index(
        "story_count"
    )

    response = editor_client.get(reverse(url_name), {"o": f"-{column}"})

    counts = {subject.pk: subject.story_count for subject in response.context["cl"].result_list}
    assert counts[busy.pk] == 3
    assert counts[quiet.pk] == 1
    assert list(counts)[:2] == [busy.pk, quiet.pk]
    assert all(count == 0 for pk, count in counts.items() if pk not in (busy.pk, quiet.pk))

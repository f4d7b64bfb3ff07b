"""Helpers for driving the story admin the way a browser does."""

from django.urls import reverse


def change_url(article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def form_data(response) -> dict:
    """The POST data the admin page in ``response`` would send unchanged (form and inlines)."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms.append(formset.management_form)
        forms.extend(formset.forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None:
                continue
            if name == "tags" and not isinstance(value, str):
                value = ", ".join(tag.name for tag in value)
            elif isinstance(value, list | tuple):
                value = [str(item) for item in value]
            data[form.add_prefix(name)] = value
    return data

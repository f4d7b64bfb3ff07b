"""The role table: what each role may do to each kind of object, as data.

docs/workflow.md shows ``markdown_table()`` between its ``role-table`` markers, and
tests/test_roles.py checks every cell against the running admin, so the page, the tests and
the code cannot drift apart. The checks themselves live in ``publishing`` (stories),
``object_permissions`` (images, tags, the story list) and ``admin/users.py`` (people).
"""

# The groups migration 0005 created and 0014 gave Spanish names; a newsroom may rename them
# (their names are data), so code decides by permission and only the tests, the admin's
# wording and this table name the groups.
REPORTER = "Reporteros"
EDITOR = "Editores"
ADMIN = "Administradores"
ROLES = (REPORTER, EDITOR, ADMIN)
# The names the groups had before 0014 (0005 made them under these).
ENGLISH_NAMES = {"Reporter": REPORTER, "Editor": EDITOR, "Admin": ADMIN}
# The roles that may publish a story despite its problems, giving a reason.
PUBLISH_ANYWAY = (EDITOR, ADMIN)

# (object, action, roles allowed). "Own" means signed by the user (stories) or uploaded by it
# (images); a "published" story is one readers can see.
ROLE_TABLE = [
    ("own draft", "find in the story list and its search", {REPORTER, EDITOR, ADMIN}),
    ("own draft", "edit", {REPORTER, EDITOR, ADMIN}),
    ("own draft", "publish", {EDITOR, ADMIN}),
    ("own published story", "edit", {EDITOR, ADMIN}),
    ("colleague's draft", "find in the story list and its search", {EDITOR, ADMIN}),
    ("colleague's draft", "open", {EDITOR, ADMIN}),
    ("colleague's draft", "edit", {EDITOR, ADMIN}),
    ("published story", "find in the story list and its search", {REPORTER, EDITOR, ADMIN}),
    ("published story", "unpublish", {EDITOR, ADMIN}),
    ("own image not on a published story", "change", {REPORTER, EDITOR, ADMIN}),
    ("own image on a published story", "change", {EDITOR, ADMIN}),
    ("colleague's image", "change", {EDITOR, ADMIN}),
    ("image", "delete", {EDITOR, ADMIN}),
    ("existing tag", "put on a story", {REPORTER, EDITOR, ADMIN}),
    ("new tag", "create by typing it on a story", {EDITOR, ADMIN}),
    ("section", "create", {ADMIN}),
    ("person's account", "give a role", {ADMIN}),
]

_YES, _NO = "yes", "—"


def markdown_table() -> str:
    """The table as docs/workflow.md shows it (object, action, one column per role)."""
    lines = [
        "| Object | Action | " + " | ".join(ROLES) + " |",
        "|---|---|" + "---|" * len(ROLES),
    ]
    for subject, action, allowed in ROLE_TABLE:
        cells = [_YES if role in allowed else _NO for role in ROLES]
        lines.append(f"| {subject} | {action} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"

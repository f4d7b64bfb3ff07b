"""The newsroom's roles: the names of the groups that carry them (migration ``0005_roles``
made them, ``0014`` gave them Spanish names). Code names roles through these constants."""

REPORTER = "Reporteros"
EDITOR = "Editores"
ADMIN = "Administradores"
# The names the groups had before 0014, for the migration that renames them.
ENGLISH_NAMES = {"Reporter": REPORTER, "Editor": EDITOR, "Admin": ADMIN}

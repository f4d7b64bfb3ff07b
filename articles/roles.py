"""The newsroom's roles: the names of the groups that carry them (migration ``0005_roles``
made them, ``0014`` gave them Spanish names). Code names roles through these constants."""

REPORTER = "Reporteros"
EDITOR = "Editores"
ADMIN = "Administradores"
# The names the groups had before 0014 (0005 made them under these).
ENGLISH_NAMES = {"Reporter": REPORTER, "Editor": EDITOR, "Admin": ADMIN}
# The roles that may publish a story despite its problems, giving a reason.
PUBLISH_ANYWAY = (EDITOR, ADMIN)

"""Draw the demo stories' lead images: charts of figures the stories themselves report.

Run from the repository root with the project's environment (``.venv/bin/python
demo/make_images.py``); it rewrites the PNG files in ``demo/images/``, which ``load_demo``
stores in the media library. The pictures are the project's own work, under its licence
(BSD-3-Clause); ``demo/images.yaml`` gives each one's alt text, caption and credit.
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent / "images"
SIZE = (1600, 900)
PAPER, INK, SOFT, RULE = "#f6f4ef", "#1a1a1a", "#4a4a4a", "#d9d5cc"
ACCENT, BLUE, OCHRE = "#a4161a", "#1f4e79", "#c98b1b"
FONTS = Path("/usr/share/fonts/truetype/dejavu")


def font(size, bold=False, serif=True):
    """A DejaVu face (shipped with most Linux systems)."""
    name = f"DejaVu{'Serif' if serif else 'Sans'}{'-Bold' if bold else ''}.ttf"
    return ImageFont.truetype(str(FONTS / name), size)


def canvas(title, source):
    """A blank chart with its title at the top and its source at the bottom."""
    picture = Image.new("RGB", SIZE, PAPER)
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 0, SIZE[0], 14), fill=ACCENT)
    draw.text((80, 70), title, font=font(58, bold=True), fill=INK)
    draw.line((80, 800, SIZE[0] - 80, 800), fill=RULE, width=3)
    draw.text((80, 822), source, font=font(30, serif=False), fill=SOFT)
    return picture, draw


def bars(title, source, rows, unit, colour):
    """Horizontal bars, one per (label, value)."""
    picture, draw = canvas(title, source)
    top, height = 210, min(130, 540 // len(rows))
    largest = max(value for _label, value in rows)
    for index, (label, value) in enumerate(rows):
        y = top + index * height
        draw.text((80, y + 18), label, font=font(40, serif=False), fill=INK)
        length = int(820 * value / largest)
        draw.rectangle((480, y + 8, 480 + length, y + height - 28), fill=colour)
        number = f"{value:,.1f}".replace(".0", "") + unit
        draw.text((500 + length, y + 14), number, font=font(44, bold=True), fill=INK)
    return picture


def waffle(title, source, groups):
    """One square per unit, coloured by group, with a legend."""
    picture, draw = canvas(title, source)
    side, gap, columns = 92, 14, 8
    index = 0
    for _label, count, colour in groups:
        for _ in range(count):
            row, column = divmod(index, columns)
            x, y = 80 + column * (side + gap), 200 + row * (side + gap)
            draw.rectangle((x, y, x + side, y + side), fill=colour)
            index += 1
    for number, (label, count, colour) in enumerate(groups):
        y = 260 + number * 130
        draw.rectangle((1000, y, 1060, y + 60), fill=colour)
        draw.text((1085, y - 4), f"{count} {label}", font=font(46, bold=True), fill=INK)
    return picture


def dots(title, source, count, caption):
    """A row of large dots, one per item counted, with a figure beside them."""
    picture, draw = canvas(title, source)
    for index in range(count):
        row, column = divmod(index, 5)
        x, y = 120 + column * 170, 250 + row * 240
        draw.ellipse((x, y, x + 130, y + 130), fill=ACCENT if index < count else RULE)
    draw.text((1040, 270), str(count), font=font(220, bold=True), fill=INK)
    draw.multiline_text((1040, 540), caption, font=font(40, serif=False), fill=SOFT, spacing=10)
    return picture


def grid(title, source, labels, colour):
    """Labelled tiles, one per item (platforms, commitments)."""
    picture, draw = canvas(title, source)
    for index, label in enumerate(labels):
        row, column = divmod(index, 3)
        x, y = 80 + column * 490, 210 + row * 190
        draw.rectangle((x, y, x + 450, y + 160), fill=colour)
        draw.multiline_text((x + 28, y + 30), label, font=font(38, bold=True), fill=PAPER)
    return picture


IMAGES = {
    "aga-organizaciones.png": lambda: dots(
        "Salen de la Alianza para el Gobierno Abierto",
        "Fuente: comunicado del núcleo de organizaciones de la sociedad civil, 23 de mayo de 2017",
        10,
        "organizaciones dejan\nel Secretariado Técnico\nTripartita",
    ),
    "agua-igasa.png": lambda: waffle(
        "Acceso al agua por estado, 2015",
        "Fuente: Índice Global de Acceso a los Servicios Básicos de Agua, CONAGUA / INEGI",
        [("regular", 14, OCHRE), ("adecuado", 10, BLUE), ("deficiente", 8, ACCENT)],
    ),
    "fotomultas-puebla.png": lambda: bars(
        "Fotomultas cobradas en enero, Puebla",
        "Fuente: Secretaría de Finanzas de Puebla, vía solicitud de información (2017)",
        [("Enero de 2015", 15.1), ("Enero de 2016", 13.0), ("Enero de 2017", 3.4)],
        " mdp",
        BLUE,
    ),
    "libertad-de-prensa.png": lambda: bars(
        "Mecanismo de protección a periodistas, 2012-2017",
        "Fuente: Secretaría de Gobernación, Mecanismo de Protección",
        [
            ("Solicitudes", 281),
            ("Admitidas", 230),
            ("Señalados agresores", 265),
            ("Servidores públicos", 98),
        ],
        "",
        ACCENT,
    ),
    "tablero-colombia.png": lambda: grid(
        "Un tablero abierto para seguir compromisos",
        "Ilustración: tablero de seguimiento de Gobierno Abierto, código abierto",
        ["Compromiso", "Avance", "Responsable", "Evidencia", "Fechas", "Comentarios"],
        BLUE,
    ),
    "transparencia-presupuestaria.png": lambda: grid(
        "Transparencia Presupuestaria",
        "Ilustración: secciones del portal de la SHCP descritas en la nota",
        ["Gasto federal\ntransferido", "Ramo General\n23", "Presupuesto\nbasado en\nresultados"],
        OCHRE,
    ),
}


if __name__ == "__main__":
    for name, draw in IMAGES.items():
        draw().save(HERE / name, optimize=True)
        print(name, (HERE / name).stat().st_size, "bytes")

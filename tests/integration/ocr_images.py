"""Images with known text for the OCR tests and the OCR benchmark.

Rendered with Pillow and the TrueType fonts Debian installs under
/usr/share/fonts (DejaVu always; Liberation and FreeFont when set-up has
installed them): several fonts, sizes, text and background colours, a slight
rotation (up to +-3 degrees), one or two lines of one to three words, saved
as PNG or JPEG; a stop sign; an image without text; photo-sized scenes for
timing. `sample_set(count, seed)` and `scene_set(count, seed)` are
deterministic for a given seed and set of installed fonts, so accuracy
figures can be compared between runs.
"""

import dataclasses
import io
import math
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_ROOT = Path("/usr/share/fonts")
# Upright, plain text faces (no italics or symbol fonts), in the order tried.
FONT_FILES = [
    "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf",
    "DejaVuSansMono.ttf", "DejaVuSansCondensed.ttf",
    "LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf", "LiberationSerif-Regular.ttf",
    "LiberationMono-Regular.ttf", "FreeSans.ttf", "FreeSansBold.ttf", "FreeSerif.ttf",
]
BOLD_FONT_FILES = ["DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf", "FreeSansBold.ttf"]

# Everyday English words of 4-8 letters, none a part of another, so a word
# found in the recognised text was not matched by accident.
WORDS = [
    "apple", "bridge", "candle", "garden", "window", "silver", "planet", "market",
    "yellow", "forest", "rocket", "summer", "winter", "coffee", "pencil", "orange",
    "harbor", "castle", "dragon", "museum", "ticket", "bottle", "guitar", "island",
    "camera", "parrot", "violet", "cookie", "bakery", "lemon", "train", "river",
    "cloud", "house", "music", "table", "green", "north", "south", "storm",
    "paper", "light", "stone", "tiger", "zebra", "honey", "piano", "radio",
    "metro", "dream", "plaza", "sugar", "quick", "brown", "jumps", "field",
]


@dataclasses.dataclass
class TextImage:
    """An encoded image and the lines of text drawn on it."""
    name: str
    data: bytes
    lines: list

    @property
    def words(self):
        return [word for line in self.lines for word in line.split()]


def available_fonts(files=FONT_FILES):
    """Paths of the listed font files found under /usr/share/fonts."""
    found = {path.name: path for path in FONT_ROOT.rglob("*.tt[fc]")} if FONT_ROOT.is_dir() else {}
    fonts = [found[name] for name in files if name in found]
    if not fonts:
        raise FileNotFoundError(f"none of {', '.join(files)} under {FONT_ROOT} "
                                "(Debian package fonts-dejavu-core)")
    return fonts


def encode(image, image_format):
    buffer = io.BytesIO()
    if image_format == "JPEG":
        image.convert("RGB").save(buffer, "JPEG", quality=92)
    else:
        image.save(buffer, "PNG")
    return buffer.getvalue()


def render_text(lines, font_path, size, text_colour=(0, 0, 0), background=(255, 255, 255),
                angle=0.0, margin=None, line_gap=0.5, image_format="PNG"):
    """One or more lines of text on a plain background, rotated by `angle`
    degrees (counter-clockwise) around the centre; encoded bytes."""
    font = ImageFont.truetype(str(font_path), size)
    margin = size if margin is None else margin
    boxes = [font.getbbox(line) for line in lines]
    line_height = max(box[3] - box[1] for box in boxes)
    width = max(box[2] - box[0] for box in boxes) + 2 * margin
    height = len(lines) * line_height + int((len(lines) - 1) * line_gap * line_height) + 2 * margin
    image = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(image)
    y = margin
    for line, box in zip(lines, boxes):
        draw.text((margin - box[0], y - box[1]), line, font=font, fill=text_colour)
        y += int(line_height * (1 + line_gap))
    if angle:
        image = image.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=background)
    return encode(image, image_format)


def render_stop_sign(size=320, image_format="PNG"):
    """A red octagon with a white rim and a white bold "STOP", on a pale
    sky-blue background."""
    image = Image.new("RGB", (size, size), (186, 214, 235))
    draw = ImageDraw.Draw(image)
    centre = size / 2

    def octagon(radius):
        # Flat top: vertices at 22.5 + 45k degrees.
        return [(centre + radius * math.cos(math.radians(22.5 + 45 * k)),
                 centre + radius * math.sin(math.radians(22.5 + 45 * k))) for k in range(8)]

    draw.polygon(octagon(size * 0.46), fill=(255, 255, 255))
    draw.polygon(octagon(size * 0.43), fill=(196, 18, 48))
    font = ImageFont.truetype(str(available_fonts(BOLD_FONT_FILES)[0]), int(size * 0.24))
    left, top, right, bottom = font.getbbox("STOP")
    draw.text((centre - (left + right) / 2, centre - (top + bottom) / 2), "STOP",
              font=font, fill=(255, 255, 255))
    return encode(image, image_format)


def render_blank(width=480, height=320, image_format="PNG"):
    """No text at all: a smooth two-colour gradient."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    tint = Image.new("RGB", (width, height), (90, 140, 200))
    return encode(Image.blend(image, tint, 0.5), image_format)


def render_scene(rng, name, fonts=None, width=1280, height=960):
    """A photo-sized JPEG (`width` x `height`) with two to four short lines
    of text at random places, one per horizontal band so they never
    overlap, on a light background with a few plain shapes that are not
    text. For timing: the pipeline's cost at the size of a real photo."""
    fonts = fonts or available_fonts()
    background = tuple(rng.randint(190, 250) for _ in range(3))
    image = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(image)
    for _ in range(4):
        x, y = rng.randint(0, width - 200), rng.randint(0, height - 200)
        shade = tuple(max(0, c - rng.randint(20, 50)) for c in background)
        draw.ellipse((x, y, x + rng.randint(80, 200), y + rng.randint(80, 200)), fill=shade)
    count = rng.randint(2, 4)
    band = height // count
    lines = []
    for index in range(count):
        line = " ".join(rng.sample(WORDS, rng.randint(1, 3)))
        font = ImageFont.truetype(str(rng.choice(fonts)), rng.randint(28, 64))
        left, top, right, bottom = font.getbbox(line)
        margin = 16
        x = rng.randint(margin, max(margin, width - (right - left) - margin))
        y = index * band + rng.randint(margin, max(margin, band - (bottom - top) - margin))
        draw.text((x - left, y - top), line, font=font, fill=tuple(rng.randint(0, 60) for _ in range(3)))
        lines.append(line)
    return TextImage(name, encode(image, "JPEG"), lines)


def scene_set(count, seed):
    """`count` photo-sized scenes (render_scene), the same for the same seed."""
    rng = random.Random(seed)
    fonts = available_fonts()
    return [render_scene(rng, f"scene_{index:03d}", fonts) for index in range(count)]


def _colours(rng):
    """A contrasting (text, background) pair, dark on light or light on dark."""
    light = tuple(rng.randint(200, 255) for _ in range(3))
    dark = tuple(rng.randint(0, 70) for _ in range(3))
    return (dark, light) if rng.random() < 0.7 else (light, dark)


def _text_lines(rng):
    words = rng.sample(WORDS, rng.randint(1, 4))
    style = rng.choice([str.lower, str.lower, str.upper, str.capitalize])
    words = [style(word) for word in words]
    if len(words) >= 3 and rng.random() < 0.5:
        split = len(words) // 2
        return [" ".join(words[:split]), " ".join(words[split:])]
    if len(words) == 4:
        return [" ".join(words[:2]), " ".join(words[2:])]
    return [" ".join(words)]


def sample(rng, name, fonts=None):
    """One random TextImage drawn from `rng` (a random.Random)."""
    fonts = fonts or available_fonts()
    lines = _text_lines(rng)
    text_colour, background = _colours(rng)
    font = rng.choice(fonts)
    size = rng.randint(22, 56)
    angle = round(rng.uniform(-3.0, 3.0), 2)
    image_format = rng.choice(["PNG", "JPEG"])
    data = render_text(lines, font, size, text_colour, background, angle,
                       margin=rng.randint(size // 2, 2 * size), image_format=image_format)
    return TextImage(name, data, lines)


def sample_set(count, seed):
    """`count` TextImages, the same ones for the same seed and fonts."""
    rng = random.Random(seed)
    fonts = available_fonts()
    return [sample(rng, f"text_{index:03d}", fonts) for index in range(count)]


def write_set(images, folder):
    """Writes each image as <name>.png/.jpg; returns {path: image}."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for image in images:
        suffix = ".jpg" if image.data[:3] == b"\xff\xd8\xff" else ".png"
        path = folder / (image.name + suffix)
        path.write_bytes(image.data)
        written[path] = image
    return written


def word_matches(expected_words, recognised_texts, allow_joined=True):
    """How many of `expected_words` were read. The recognised regions are
    split into words; a word counts when it appears there exactly (case
    included), each recognised word crediting at most one expected word.

    The PP-OCRv4 recogniser (trained mostly on Chinese, where words have no
    spaces) often drops the space between two words of one region and reads
    "violet castle" as "violetcastle". With `allow_joined`, a recognised word
    equal to several of the expected words run together credits each of
    them: their letters were all read right. Without it, only words read
    with their spaces count."""
    tokens = " ".join(recognised_texts).split()
    matched = 0
    remaining = list(expected_words)
    for token in tokens:
        if token in remaining:
            remaining.remove(token)
            matched += 1
        elif allow_joined:
            run = _joined_run(remaining, token)
            if run:
                matched += len(run)
                for word in run:
                    remaining.remove(word)
    return matched


def _joined_run(words, token):
    """Two or more consecutive entries of `words` that, run together, equal
    `token`; [] when there are none."""
    for start in range(len(words)):
        for end in range(start + 2, len(words) + 1):
            if "".join(words[start:end]) == token:
                return words[start:end]
    return []


def word_accuracy(images, recognised, allow_joined=True):
    """Words read correctly / words drawn, over `images` (TextImages) with
    `recognised` the list of recognised texts per image, in the same order."""
    total = sum(len(image.words) for image in images)
    matched = sum(word_matches(image.words, texts, allow_joined)
                  for image, texts in zip(images, recognised))
    return matched / total if total else 0.0

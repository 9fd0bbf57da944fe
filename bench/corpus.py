"""Synthetic articles for the benchmark: seeded Markdown with a Zipf-like vocabulary.

Everything here is deterministic for a given seed and article index, so that worker
processes can generate articles in any order and still build the same library.
"""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass

# The terms the search measurements use. RARE_TERM and the phrase are planted (the rare
# term in about one article in 5,000, the phrase in one in 100); COMMON_TERM and the
# prefix word get their frequency from their rank in the vocabulary.
RARE_TERM = "quixotic"
COMMON_TERM = "government"
PHRASE = ("open", "source")
PREFIX_WORD = "bridge"
RARE_EVERY = 5000
PHRASE_EVERY = 100

# Rank 0 is the most frequent word. Function words lead, as in English text.
_FUNCTION_WORDS = """
the of and to a in that is was he for it with as his on be at by i this had not are but
from or have an they which one you were her all she there would their we him been has
when who will more no if out so said what up its about into than them can only other new
some could time these two may then do first any my now such like our over man me even
most made after also did many before must through back years where much your way well
down should because each just those people how too little state good very make world
still own see men work long get here between both life being under never day same
another know while last might us great old year off come since against go came right
used take three
""".split()
# Real words placed among generated ones, at fixed ranks (see _vocabulary). COMMON_TERM
# sits near rank 100 (in most articles), PREFIX_WORD near 250 (in about half).
_CONTENT_WORDS = """
government public number city report country system group company problem service
market history policy question school power money water family council party order
market figure court region study evidence industry language interest attention energy
research economy science culture health nature theory village station harbour museum
river mountain island garden bridge bright bring brief brick bride bridle brisk british
broad brother brown brush build burden button border bottle bounce basket battle beacon
beach beard bear beauty belief bench berry better bicycle bishop blanket blossom board
body bone book bottom branch bread breath breeze cabinet camera candle canvas capital
captain carbon carpet castle cattle ceiling census chamber channel chapter charter cheese
chimney circle climate clock cloud coast coffee column comfort copper corner cotton
county crystal current custom dancer debate decade desert detail device diamond dinner
doctor dollar dragon drawer driver engine estate factory farmer feather fence festival
fiction finger forest fortune fountain frame freedom frontier galaxy garage glass
granite gravel harvest helmet highway hollow horizon hospital hunger ink journal judge
kettle kingdom kitchen ladder lantern lawyer leather lesson letter library license
lumber machine magnet manor marble meadow mirror monument motor needle network novel
ocean office orchard palace paper parcel pasture pencil pepper pilot planet pocket
poetry porch portrait powder prairie prison pulse puzzle quarry quarter rabbit radio
railway ribbon rocket saddle sailor salmon satellite scholar season senate shadow
shelter shoulder signal silver sister soldier spirit stadium statue stone summit
surface tailor teacher temple theatre thunder timber tower tractor treaty tunnel valley
velvet vessel violin voyage wagon wallet weather whistle window winter wisdom workshop
""".split()
_SYLLABLES = """
ka lo mi ra ten vor sel dan ber tu pa ri na lis mor gan fel ti ro ves cal den mar
sor pli qua tre zen ul an et ir os um el ad ob ex in pro con dis ver sta pre gra
""".split()

FIRST_NAMES = """Clara Jonas Amara Felix Ines Tomasz Priya Omar Lena Mateo Yuki Hannah Kofi
Sofia Arjun Elena Samuel Noor Marta Diego Ada Bruno Leila Henrik Zara Ivan Maya Lucas
Alma Rafael""".split()
LAST_NAMES = """Weiss Okafor Lindqvist Moreau Tanaka Haddad Novak Rossi Mendes Kowalski
Sato Brennan Achebe Ferreira Larsen Costa Iyer Nakamura Fischer Dubois Bauer Silva
Ahmed Jensen Varga Moreno Olsen Petrov Quinn Reyes""".split()
MONTHS = ("January February March April May June July August September October "
          "November December").split()

TAG_PARENTS = """history science politics economics technology culture health climate
education law art music philosophy media energy transport food travel sport design
language religion war cities books film psychology business labour housing space
biology physics mathematics computing security privacy agriculture oceans archives
reading""".split()
TAG_CHILDREN = """europe asia africa americas theory practice policy data essays interviews
reviews archive long-read explainer opinion analysis""".split()


def _vocabulary() -> list[str]:
    """About 3,000 words by rank: function words, then real and invented content words."""
    rng = random.Random(20240807)  # fixed: the vocabulary is the same for every seed
    invented: list[str] = []
    seen = set(_FUNCTION_WORDS) | set(_CONTENT_WORDS) | {RARE_TERM}
    while len(invented) < 2700:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen and len(word) > 3:
            seen.add(word)
            invented.append(word)
    content = [w for w in dict.fromkeys(_CONTENT_WORDS) if w not in (COMMON_TERM, PREFIX_WORD)]
    words = list(dict.fromkeys(_FUNCTION_WORDS))
    # Real content words are spread among the invented ones, one in every eight.
    mixed: list[str] = []
    for index, word in enumerate(invented):
        if index % 8 == 0 and content:
            mixed.append(content.pop(0))
        mixed.append(word)
    mixed.extend(content)
    words += mixed
    words.insert(100, COMMON_TERM)
    words.insert(250, PREFIX_WORD)
    return words


VOCABULARY = _vocabulary()


def _sampling_table(size: int = 1 << 18) -> list[str]:
    """The vocabulary repeated in proportion to Zipf-Mandelbrot weights, 1 / (rank + 2.7):
    a uniform pick from it is a weighted pick of a word, several times faster than
    `choices(weights=...)` (the rarest word still appears about ten times)."""
    weights = [1.0 / (rank + 2.7) for rank in range(len(VOCABULARY))]
    scale = size / sum(weights)
    return [word for word, weight in zip(VOCABULARY, weights)
            for _ in range(max(1, round(weight * scale)))]


_TABLE = _sampling_table()
_CONTENT_START = len(set(_FUNCTION_WORDS))


def tag_names(count: int = 200) -> list[str]:
    """`count` tag names: some top-level, most nested one level (`history/europe`)."""
    parents = TAG_PARENTS[:max(1, count // 5)]
    names = list(parents)
    for child, parent in itertools.product(TAG_CHILDREN, parents):
        if len(names) >= count:
            break
        names.append(f"{parent}/{child}")
    return names[:count]


@dataclass(frozen=True)
class Generated:
    """One synthetic article: its Markdown and the tags it should carry."""

    markdown: str
    name: str
    tags: tuple[str, ...]


def article(seed: int, index: int, words: int | None = None, tag_pool: list[str] | None = None,
            ) -> Generated:
    """The Markdown of article number `index` (300-3,000 words unless `words` is given)."""
    rng = random.Random(seed * 1_000_003 + index)
    target = words if words is not None else rng.randint(300, 3000)
    title_words = [VOCABULARY[rng.randrange(_CONTENT_START, len(VOCABULARY))]
                   for _ in range(rng.randint(3, 9))]
    title = " ".join(w.capitalize() if i == 0 or len(w) > 3 else w
                     for i, w in enumerate(title_words))
    author = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    published = f"{rng.randint(1, 28)} {rng.choice(MONTHS)} {rng.randint(2000, 2025)}"
    parts = [f"# {title}", f"{author}  \n{published}"]
    plant_rare = index % RARE_EVERY == 17
    plant_phrase = index % PHRASE_EVERY == 3
    written = 0
    paragraphs = 0
    while written < target:
        if paragraphs and paragraphs % 7 == 0 and rng.random() < 0.6:
            parts.append("## " + " ".join(_words(rng, rng.randint(2, 6))).capitalize())
        sentences = []
        for _ in range(rng.randint(2, 7)):
            count = min(rng.randint(6, 28), max(3, target - written))
            sentences.append(_sentence(rng, count))
            written += count
            if written >= target:
                break
        if plant_rare and paragraphs == 1:
            sentences.append(f"It was a {RARE_TERM} plan.")
        if plant_phrase and paragraphs == 2:
            sentences.append(f"The {PHRASE[0]} {PHRASE[1]} movement grew.")
        parts.append(" ".join(sentences))
        paragraphs += 1
    tags: tuple[str, ...] = ()
    if tag_pool:
        wanted = rng.choices((0, 1, 2, 3), weights=(40, 35, 20, 5))[0]
        tags = tuple(dict.fromkeys(_zipf_pick(rng, tag_pool) for _ in range(wanted)))
    return Generated("\n\n".join(parts) + "\n", f"article-{index:06d}.md", tags)


def _words(rng: random.Random, count: int) -> list[str]:
    return rng.choices(_TABLE, k=count)


def _sentence(rng: random.Random, count: int) -> str:
    words = _words(rng, count)
    roll = rng.random()
    if roll < 0.05 and count > 3:  # a word in italics
        i = rng.randrange(1, count)
        words[i] = f"*{words[i]}*"
    elif roll < 0.07 and count > 4:  # a phrase in bold
        i = rng.randrange(1, count - 1)
        words[i], words[i + 1] = f"**{words[i]}", f"{words[i + 1]}**"
    elif roll < 0.10 and count > 4:  # a link
        i = rng.randrange(1, count - 1)
        words[i] = f"[{words[i]} {words[i + 1]}](https://example.org/{words[i]}/{rng.randrange(10**6)})"
        del words[i + 1]
    i = int(rng.expovariate(0.06)) + 1  # commas after about one word in 16
    while i < len(words) - 1:
        words[i] += ","
        i += int(rng.expovariate(0.06)) + 1
    words[0] = words[0].capitalize() if not words[0].startswith(("*", "[")) else words[0]
    end = rng.random()
    return " ".join(words) + ("." if end < 0.9 else "?" if end < 0.96 else "!")


def _zipf_pick(rng: random.Random, pool: list[str]) -> str:
    weights = [1.0 / (rank + 1.5) for rank in range(len(pool))]
    return rng.choices(pool, weights=weights)[0]


_WORD = re.compile(r"\S+")


def highlight_spans(rng: random.Random, text: str, count: int, min_words: int = 3,
                    max_words: int = 30) -> list[tuple[int, int]]:
    """`count` passages of `text` (code-point spans of whole words, inside one paragraph),
    in reading order; they may overlap when there are many."""
    lines, offset = [], 0
    for line in text.split("\n"):
        lines.append((offset, line))
        offset += len(line) + 1
    body = [(start, line) for start, line in lines[2:] if len(line.split()) > min_words]
    spans = []
    for _ in range(count):
        start, line = rng.choice(body)
        words = [(start + m.start(), start + m.end()) for m in _WORD.finditer(line)]
        length = min(len(words), rng.randint(min_words, max_words))
        first = rng.randrange(0, len(words) - length + 1)
        spans.append((words[first][0], words[first + length - 1][1]))
    return sorted(spans)


def note(rng: random.Random) -> str:
    """A short Markdown note, as a reader writes beside a passage."""
    text = " ".join(_words(rng, rng.randint(3, 40))).capitalize() + "."
    if rng.random() < 0.2:
        text += f" *{rng.choice(VOCABULARY[_CONTENT_START:])}* matters here."
    return text

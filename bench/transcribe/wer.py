"""WER of {stem: text} JSON against the speech manifest; same rules as
pipeline/tests/whisper_support (lower case, bracketed asides dropped,
* and # spelled, digits as words, punctuation removed)."""
import json
import sys
from pathlib import Path

ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def below_thousand(n, out):
    if n >= 100:
        out += [ONES[n // 100], "hundred"]
    r = n % 100
    if r >= 20:
        out.append(TENS[r // 10])
        if r % 10:
            out.append(ONES[r % 10])
    elif r > 0 or n == 0:
        out.append(ONES[r])


def number_words(n):
    if n >= 1_000_000:
        return [ONES[int(c)] for c in str(n)]
    out = []
    if n >= 1000:
        below_thousand(n // 1000, out)
        out.append("thousand")
        if n % 1000:
            below_thousand(n % 1000, out)
    else:
        below_thousand(n, out)
    return out


def normalize(text):
    s, depth = [], 0
    for c in text.lower():
        if c in "([":
            depth += 1
        elif c in ")]":
            depth = max(depth - 1, 0)
        elif depth > 0:
            pass
        elif c in "-/":
            s.append(" ")
        elif c == "*":
            s.append(" star ")
        elif c == "#":
            s.append(" pound ")
        elif c.isalnum() or c in " '":
            s.append(c)
        elif c.isspace():
            s.append(" ")
    words = []
    for w in "".join(s).split():
        w = w.strip("'")
        if w.isascii() and w.isdigit():
            words += number_words(int(w))
        elif w:
            words.append(w)
    return words


def distance(r, h):
    prev = list(range(len(h) + 1))
    for i, rw in enumerate(r):
        cur = [i + 1] * (len(h) + 1)
        for j, hw in enumerate(h):
            cur[j + 1] = min(prev[j] + (rw != hw), prev[j + 1] + 1, cur[j] + 1)
        prev = cur
    return prev[len(h)]


def main():
    manifest, hyps = sys.argv[1], json.loads(Path(sys.argv[2]).read_text())
    errors = words = 0
    for line in Path(manifest).read_text().splitlines():
        clip = json.loads(line)
        stem = Path(clip["audio"]).stem
        if not clip["id"].startswith("asterisk-en/"):
            continue
        r = normalize(clip["text"])
        errors += distance(r, normalize(hyps.get(stem, "")))
        words += len(r)
    print(f"{100.0 * errors / words:.2f}")


if __name__ == "__main__":
    main()

"""tests/speech/words.py - content-word recall of a transcript against the script as written.

A listener writes what it hears its own way ("$540", "540 dollars", "BigQuery", "big query",
"24-hour"), and the script has its own ("About 540 dollars", "Google BigQuery",
"micro-batches"), so both go through one spelling before they are compared:

- lower case; an apostrophe's "s" and a trailing apostrophe dropped ("Kafka's", "producers'");
- money and percent as words: "$540" is "540 dollars", "€90" "90 euros", "5%" "5 percent";
- digits as words: "1,900" is "one thousand nine hundred", "2.9" "two point nine"; a hyphen
  between number words is a space ("twenty-four");
- size units as words: "TB" is "terabytes" (the listener writes either);
- other hyphens join: "micro-batches" is "microbatches", "T-SQL" "tsql";
- a plural "s" is dropped from words of four letters or more, so "terabyte" meets "terabytes";
- British and American spellings meet: "pseudonymise" is "pseudonymize", "catalogue"
  "catalog", "modelling" "modeling".

Content words: not a stopword, two letters or more. A reference word counts as heard when it is
a word of the transcript or two or three adjacent transcript words written together ("big
query" is "bigquery", "micro batches" is "microbatches"); a hyphenated transcript word also
offers its parts ("Pub-Sub" has "pub" and "sub", as the reference's "Pub/Sub" does).
"""
import re

STOPWORDS = set("""
a about above after again against all am an and any are as at be because been before being
below between both but by can did do does doing down during each few for from further had has
have having he her here hers him his how i if in into is it its itself just me more most my no
nor not now of off on once only or other our ours out over own same she should so some such than
that the their them then there these they this those through to too under until up very was we
were what when where which while who whom why will with would you your yours also per
""".split())

ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen").split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
NUMBER_WORDS = set(ONES + TENS[2:] + ["hundred", "thousand", "million", "billion", "point"])
UNITS = {"kb": "kilobytes", "mb": "megabytes", "gb": "gigabytes", "tb": "terabytes",
         "pb": "petabytes"}


def _int_words(n):
    if n < 20:
        return [ONES[n]]
    if n < 100:
        return [TENS[n // 10]] + ([ONES[n % 10]] if n % 10 else [])
    if n < 1000:
        return [ONES[n // 100], "hundred"] + (_int_words(n % 100) if n % 100 else [])
    for size, name in ((10 ** 9, "billion"), (10 ** 6, "million"), (1000, "thousand")):
        if n >= size:
            return _int_words(n // size) + [name] + (_int_words(n % size) if n % size else [])
    return [str(n)]


def _number(m):
    whole, frac = m.group(1).replace(",", ""), m.group(2)
    out = _int_words(int(whole)) if len(whole) <= 12 else list(whole)
    if frac:
        out += ["point"] + [ONES[int(d)] for d in frac]
    return " " + " ".join(out) + " "


def tokens(text):
    """The words of 'text' in the common spelling, in order."""
    t = text.lower()
    t = re.sub(r"[\u2018\u2019]", "'", t)
    t = re.sub(r"'s\b|'", " ", t)
    t = re.sub(r"\$\s?([0-9][0-9,]*(?:\.[0-9]+)?)\s*([km]\b)?",
               lambda m: m.group(1) + (" thousand" if m.group(2) == "k" else
                                       " million" if m.group(2) == "m" else "") + " dollars ",
               t)
    t = re.sub(r"\u20ac\s?([0-9][0-9,]*(?:\.[0-9]+)?)", r"\1 euros ", t)
    t = re.sub(r"%", " percent ", t)
    t = re.sub(r"\b([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?", _number, t)
    t = re.sub(r"\b(kb|mb|gb|tb|pb)\b", lambda m: UNITS[m.group(1)], t)

    nums = "|".join(sorted(NUMBER_WORDS))
    t = re.sub(r"\b(%s)-(?=(%s)\b)" % (nums, nums), r"\1 ", t)
    t = re.sub(r"(?<=[a-z0-9])-(?=[a-z0-9])", "", t)
    return re.findall(r"[a-z0-9]+", t)


def _us(w):
    """One spelling for British and American forms: a listener cannot hear the difference
    ("pseudonymise", "authorisations", "catalogue", "modelling")."""
    if len(w) > 5:
        w = re.sub(r"is(e|ed|es|ing|ation|ations)$", r"iz\1", w)
        w = re.sub(r"ogue(s?)$", r"og\1", w)
        w = re.sub(r"ell(ing|ed)$", r"el\1", w)
    return w


def _stem(w):
    w = _us(w)
    return w[:-1] if len(w) >= 4 and w.endswith("s") and not w.endswith("ss") else w


def content(text):
    """The distinct content words of 'text', in the common spelling."""
    return {_stem(w) for w in tokens(text) if w not in STOPWORDS and len(w) > 1}


def heard_words(transcript):
    """What a transcript offers: its words, and runs of two or three written together; a word
    the listener hyphenated ("Pub-Sub") also offers its parts ("Pub/Sub" is "pub" and "sub")."""
    out = set()
    for text in (transcript, transcript.replace("-", " ")):
        ws = tokens(text)
        out |= {_stem(w) for w in ws}
        for n in (2, 3):
            for i in range(len(ws) - n + 1):
                out.add(_stem("".join(ws[i:i + n])))
    return out


def recall(reference, transcript):
    ref = content(reference)
    if not ref:
        return 0.0
    return len(ref & heard_words(transcript)) / len(ref)


def missed(reference, transcript):
    return sorted(content(reference) - heard_words(transcript))

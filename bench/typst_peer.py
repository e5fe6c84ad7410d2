"""The plain-engine peer of `pressroom-bench flyers`: typst's own Python
binding (`typst` on PyPI) compiling the flyer template in a loop, one
Compiler, distinct data each time, no pressroom code.

    python3 bench/typst_peer.py PROJECT DATA.jsonl OUT_DIR YEAR MONTH DAY FONT_DIR...

DATA.jsonl is what `pressroom-bench phases --dump-data` writes: one flyer's
template data per line. Prints one JSON result line, as the bench's children do.
"""

import datetime
import json
import os
import resource
import sys
import time

import typst

ENTRY = b'#import "/templates/flyer.typ": flyer\n#flyer(json(bytes(sys.inputs.data)))\n'


def main() -> None:
    project, data_file, out_dir, year, month, day, *font_dirs = sys.argv[1:]
    started = time.perf_counter()
    with open(data_file, encoding="utf-8") as f:
        flyers = [json.loads(line) for line in f if line.strip()]
    stamp = datetime.datetime(int(year), int(month), int(day), tzinfo=datetime.timezone.utc)
    # The binding takes its main file by path, inside the root.
    entry = os.path.join(project, "bench-peer.typ")
    with open(entry, "wb") as f:
        f.write(ENTRY)
    compiler = typst.Compiler(entry, root=project, font_paths=font_dirs, ignore_system_fonts=True)
    os.makedirs(out_dir, exist_ok=True)
    total = 0
    loop = time.perf_counter()
    for i, flyer in enumerate(flyers):
        data = json.dumps(flyer["data"], ensure_ascii=False)
        pdf = compiler.compile(format="pdf", sys_inputs={"data": data}, timestamp=stamp)
        # Written plainly (no fsync): the peer's output costs it as little as possible.
        with open(os.path.join(out_dir, f"{i:05}.pdf"), "wb") as out:
            out.write(pdf)
        total += len(pdf)
    end = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result = {
        "flyers": len(flyers),
        "wall_ms": (end - started) * 1000.0,
        "loop_ms": (end - loop) * 1000.0,
        "cpu_ms": (usage.ru_utime + usage.ru_stime) * 1000.0,
        "peak_rss_kib": usage.ru_maxrss,
        "bytes": total,
        "typst": getattr(typst, "__version__", "?"),
    }
    print("pressroom-bench-result " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()

"""What tagging adds to writing a PDF: one layout, then the same document written untagged and
tagged, CPU seconds of this process (steady on a loaded machine, where walls are not).

    .venv/bin/python benchmarks/pdf_tags.py PROJECT [--runs 3]

benchmarks/speed.py runs it on its generated project, after the tagged and untagged builds.
"""

from __future__ import annotations

import argparse
import io
import logging
import statistics
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import weasyprint

    from newsbook.build import config as config_mod
    from newsbook.build import pipeline
    from newsbook.build import plan as plan_mod
    from newsbook.build.report import Report
    from newsbook.builders.pdfresources import BASE_URL, make_fetcher, resources
    from newsbook.render.environment import Theme

    logging.getLogger("weasyprint").setLevel(logging.CRITICAL)
    plan = plan_mod.plan_project(config_mod.load(args.project / "newsbook.toml"))
    issue = pipeline.prepare(plan, Report(), with_cover=False)
    theme = Theme(plan.templates, issue.theme)
    html = theme.render("issue.html", issue)
    started = time.process_time()
    document = weasyprint.HTML(string=html, base_url=BASE_URL,
                               url_fetcher=make_fetcher(resources(issue, theme), [])).render()
    layout = time.process_time() - started
    cpu: dict[bool, list[float]] = {False: [], True: []}
    size: dict[bool, int] = {}
    for _ in range(args.runs):
        for tags in (False, True):
            out = io.BytesIO()
            started = time.process_time()
            document.write_pdf(out, pdf_tags=tags)
            cpu[tags].append(time.process_time() - started)
            size[tags] = len(out.getvalue())
    plain, tagged = statistics.median(cpu[False]), statistics.median(cpu[True])
    print(f"{len(issue.articles)} articles, {len(document.pages)} pages: layout {layout:.2f} s "
          f"cpu; writing untagged {plain:.2f} s, tagged {tagged:.2f} s (+{tagged - plain:.2f} s, "
          f"{(tagged - plain) / (layout + plain) * 100:.0f}% of layout and writing); "
          f"{size[False] / 1024:.0f} KB untagged, {size[True] / 1024:.0f} KB tagged "
          f"(+{(size[True] / size[False] - 1) * 100:.0f}%); median of {args.runs}")


if __name__ == "__main__":
    main()

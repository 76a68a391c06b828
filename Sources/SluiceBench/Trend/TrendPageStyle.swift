/// The trend page's inline CSS and its one small script.
enum TrendPageStyle {
    /// Shows the filter box and hides summary rows and benchmark sections whose name does not contain its text.
    /// Without script the box stays hidden and every row shows. Written without `<` and `&` so that the page
    /// stays well-formed XML.
    static let script = """
        (function () {
          var box = document.getElementById('filter');
          if (box === null) { return; }
          box.hidden = false;
          box.addEventListener('input', function () {
            var query = box.value.trim().toLowerCase();
            document.querySelectorAll('[data-benchmark]').forEach(function (element) {
              var name = element.getAttribute('data-benchmark').toLowerCase();
              element.hidden = query === '' ? false : name.indexOf(query) === -1;
            });
          });
        })();
        """

    static let css = """
        body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1280px; \
        padding: 0.5rem 1rem; color: #1f2328; background: #fff; }
        [hidden] { display: none !important; }
        h1 { margin: 0.2rem 0; font-size: 1.4rem; }
        h2 { border-bottom: 1px solid #d0d7de; padding-bottom: 0.2rem; font-size: 1.15rem; margin: 1rem 0 0.4rem; }
        h2 small, .meta { color: #59636e; font-weight: normal; font-size: 0.85rem; }
        h3 { margin: 1.2rem 0 0.4rem; font-size: 1rem; }
        .meta { margin: 0.2rem 0; }
        #filter { font: inherit; padding: 0.3rem 0.5rem; width: 20rem; max-width: 100%; box-sizing: border-box; \
        border: 1px solid #d0d7de; border-radius: 6px; margin: 0.3rem 0; }
        .none { color: #59636e; font-style: italic; }
        .scroll { overflow-x: auto; }
        table.summary { border-collapse: collapse; width: 100%; font-size: 0.85rem; }
        table.summary th { text-align: left; color: #59636e; font-weight: 600; border-bottom: 1px solid #d0d7de; \
        padding: 0.25rem 0.5rem; white-space: nowrap; }
        table.summary td { padding: 0.2rem 0.5rem; border-bottom: 1px solid #eaeef2; vertical-align: middle; }
        table.summary td small { display: block; color: #59636e; }
        table.summary td a { color: inherit; text-decoration: none; }
        table.summary td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
        td.worse { color: #d1242f; }
        td.better { color: #1a7f37; }
        tr.regression, tr.failed { background: #fff5f4; }
        tr.improvement { background: #f3fbf5; }
        svg.spark { width: 100px; height: 20px; display: block; }
        svg.spark path { fill: none; stroke: #0969da; stroke-width: 1.5; vector-effect: non-scaling-stroke; }
        tr.regression svg.spark path { stroke: #d1242f; }
        tr.improvement svg.spark path { stroke: #1a7f37; }
        .badge { display: inline-block; font-size: 0.75rem; font-weight: 600; text-transform: uppercase; \
        padding: 0 0.35rem; border-radius: 3px; background: #eaeef2; color: #59636e; }
        .badge.regression, .badge.failed { background: #d1242f; color: #fff; }
        .badge.improvement { background: #1a7f37; color: #fff; }
        .badge.skipped { background: #9a6700; color: #fff; }
        h3 .badge { vertical-align: middle; }
        h3 { font-weight: 600; }
        ol.changes { list-style: none; padding: 0; margin: 0; }
        ol.changes > li { padding: 0.3rem 0.6rem; margin: 0.3rem 0; border-left: 4px solid; border-radius: 3px; }
        ol.changes > li.regression { border-color: #d1242f; background: #fff5f4; }
        ol.changes > li.improvement { border-color: #1a7f37; background: #f3fbf5; }
        ol.changes ul { margin: 0.2rem 0; padding-left: 1.2rem; }
        .kind { font-weight: 600; text-transform: uppercase; font-size: 0.75rem; margin-right: 0.3rem; }
        li.regression > .kind { color: #d1242f; }
        li.improvement > .kind { color: #1a7f37; }
        .charts { display: flex; flex-wrap: wrap; gap: 0.8rem; }
        figure.trend { margin: 0; border: 1px solid #d0d7de; border-radius: 6px; padding: 0.4rem; \
        width: 100%; max-width: 600px; box-sizing: border-box; }
        figcaption { font-size: 0.8rem; margin-bottom: 0.2rem; }
        details { margin: 0.4rem 0; font-size: 0.85rem; }
        details summary { cursor: pointer; color: #59636e; }
        p.constant { color: #59636e; }
        ul.folded { list-style: none; padding: 0; margin: 0.3rem 0; }
        ul.folded li { display: flex; gap: 0.5rem; align-items: center; padding: 0.1rem 0; }
        svg.chart { display: block; width: 100%; height: auto; font-size: 11px; }
        svg .plot { fill: #fbfcfd; stroke: #d0d7de; }
        svg .grid { stroke: #eaeef2; fill: none; }
        svg .tick, svg .commit, svg .axis { fill: #59636e; font-family: ui-monospace, monospace; font-size: 10px; }
        svg .tick { text-anchor: end; }
        svg .axis { font-family: system-ui, sans-serif; text-anchor: middle; }
        svg .band { fill: #54aeff; fill-opacity: 0.22; stroke: none; }
        svg .p50 { fill: none; stroke: #0969da; stroke-width: 2; vector-effect: non-scaling-stroke; }
        svg .point { fill: #0969da; }
        svg .point.dirty { fill: #fff; stroke: #0969da; stroke-width: 1.5; }
        svg .point.regression { fill: #d1242f; }
        svg .point.improvement { fill: #1a7f37; }
        svg .change path { stroke-width: 2; stroke-dasharray: 5 4; }
        svg .change text { font-size: 11px; font-weight: 600; }
        svg .change.regression path { stroke: #d1242f; }
        svg .change.regression text { fill: #d1242f; }
        svg .change.improvement path { stroke: #1a7f37; }
        svg .change.improvement text { fill: #1a7f37; }
        code { font-family: ui-monospace, monospace; font-size: 0.95em; }
        a.commit { text-decoration: none; }
        footer { margin-top: 2rem; color: #59636e; font-size: 0.8rem; border-top: 1px solid #d0d7de; }
        @media (max-width: 600px) {
          body { padding: 0.4rem; }
          table.summary, table.summary tbody { display: block; width: 100%; }
          table.summary thead { display: none; }
          table.summary tr { display: grid; grid-template-columns: max-content max-content max-content minmax(0, 1fr); \
        column-gap: 0.4rem; align-items: center; border-bottom: 1px solid #eaeef2; padding: 0.2rem 0; }
          table.summary td { border: none; padding: 0 0.3rem; min-width: 0; }
          table.summary td:first-child, table.summary td.status { grid-column: 1 / -1; overflow-wrap: anywhere; }
          table.summary td.num { text-align: left; }
          table.summary td.num::before { content: attr(data-label) " "; color: #59636e; font-size: 0.75rem; }
          svg.spark { width: 100%; max-width: 80px; }
        }
        """
}

using System.Globalization;
using System.Net;
using System.Text;
using Padlock.Cli.Output;

namespace Padlock.Cli.Bench;

/// <summary>
/// A self-contained HTML report: the figures as a table, and two SVG charts (throughput over time, latency
/// distribution; one series per store) drawn by an inline script from inline data. No network, no external files.
/// The script marks <c>&lt;body data-rendered="N"&gt;</c> with the number of series drawn, which the test checks.
/// </summary>
internal static class HtmlReport
{
    public static void Write(string path, IReadOnlyList<BenchResult> results, string command)
    {
        var data = Json.Serialize(results).Replace("</", "<\\/", StringComparison.Ordinal);
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>padlock bench</title>
            <style>
            body{font:14px system-ui,sans-serif;margin:2em;color:#222}
            table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
            th:first-child,td:first-child{text-align:left}
            .chart{margin:1em 0}.legend span{margin-right:1.5em}svg text{font-size:11px}
            </style></head>
            <body>
            <h1>padlock bench</h1>
            <p><code>{{WebUtility.HtmlEncode(command)}}</code><br>{{DateTime.UtcNow:yyyy-MM-dd HH:mm}} UTC, {{Environment.ProcessorCount}} cores, .NET {{Environment.Version}}</p>
            {{SummaryTable(results)}}
            <h2>Throughput over time (acquisitions/s)</h2><div id="throughput" class="chart"></div>
            <h2>Acquire latency distribution (share of acquisitions, log-scale ms)</h2><div id="latency" class="chart"></div>
            <div id="legend" class="legend"></div>
            <script type="application/json" id="data">{{data}}</script>
            <script>
            {{Script}}
            </script>
            </body></html>
            """);
        File.WriteAllText(path, html.ToString());
    }

    private static string SummaryTable(IReadOnlyList<BenchResult> results)
    {
        static string F(double? v, string f = "0.000") => v is null || double.IsNaN(v.Value) ? "-" : v.Value.ToString(f, CultureInfo.InvariantCulture);
        var sb = new StringBuilder("<table><tr><th>store</th><th>acq/s</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>max ms</th><th>mean wait ms</th><th>fairness</th><th>failures</th><th>losses</th><th>counter</th></tr>");
        foreach (var r in results)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{WebUtility.HtmlEncode(r.Store)}</td>");
            if (r.Error is not null)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<td colspan=\"10\">{WebUtility.HtmlEncode(r.Error)}</td></tr>");
                continue;
            }
            sb.Append(CultureInfo.InvariantCulture, $"<td>{F(r.PerSecond, "0")}</td><td>{F(r.LatencyMs?.P50)}</td><td>{F(r.LatencyMs?.P90)}</td><td>{F(r.LatencyMs?.P99)}</td><td>{F(r.LatencyMs?.Max)}</td>");
            sb.Append(CultureInfo.InvariantCulture, $"<td>{F(r.MeanWaitMs)}</td><td>{F(r.Fairness)}</td><td>{r.Failures}</td><td>{r.Losses}</td>");
            sb.Append(CultureInfo.InvariantCulture, $"<td>{(r.Counter is null ? "-" : r.Counter.Ok ? "ok" : $"WRONG {r.Counter.Actual}/{r.Counter.Expected}")}</td></tr>");
        }
        return sb.Append("</table>").ToString();
    }

    // Plain DOM + SVG, no library: the report must open offline in any browser.
    private const string Script = """
        (function () {
          var data = JSON.parse(document.getElementById('data').textContent).filter(function (r) { return !r.error; });
          var colours = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
          var NS = 'http://www.w3.org/2000/svg';
          function el(name, attrs, parent) {
            var e = document.createElementNS(NS, name);
            for (var k in attrs) e.setAttribute(k, attrs[k]);
            if (parent) parent.appendChild(e);
            return e;
          }
          function fmt(v) { return v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toPrecision(2); }
          function chart(host, series, xLabel, xFormat) {
            var W = 760, H = 300, L = 60, B = 40, T = 10, R = 20;
            var svg = el('svg', { width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, role: 'img' }, document.getElementById(host));
            var xs = [], ys = [0];
            series.forEach(function (s) { s.points.forEach(function (p) { xs.push(p[0]); ys.push(p[1]); }); });
            var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs), y1 = Math.max.apply(null, ys) || 1;
            if (x1 === x0) x1 = x0 + 1;
            function X(v) { return L + (v - x0) / (x1 - x0) * (W - L - R); }
            function Y(v) { return H - B - v / y1 * (H - B - T); }
            el('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: '#888' }, svg);
            el('line', { x1: L, y1: T, x2: L, y2: H - B, stroke: '#888' }, svg);
            for (var i = 0; i <= 4; i++) {
              var yv = y1 * i / 4, xv = x0 + (x1 - x0) * i / 4;
              el('text', { x: L - 6, y: Y(yv) + 4, 'text-anchor': 'end' }, svg).textContent = fmt(yv);
              el('text', { x: X(xv), y: H - B + 16, 'text-anchor': 'middle' }, svg).textContent = xFormat(xv);
            }
            el('text', { x: (W + L) / 2, y: H - 6, 'text-anchor': 'middle' }, svg).textContent = xLabel;
            series.forEach(function (s, i) {
              var d = s.points.map(function (p, j) { return (j ? 'L' : 'M') + X(p[0]).toFixed(1) + ',' + Y(p[1]).toFixed(1); }).join(' ');
              el('path', { d: d, fill: 'none', stroke: colours[i % colours.length], 'stroke-width': 2, 'class': 'series', 'data-store': s.name }, svg);
            });
            return series.length;
          }
          var drawn = 0;
          drawn += chart('throughput', data.map(function (r) {
            return { name: r.store, points: r.timeline.map(function (v, i) { return [(i + 1) * r.timelineSliceSeconds, v]; }) };
          }), 'seconds', function (v) { return v.toFixed(1); });
          drawn += chart('latency', data.map(function (r) {
            return { name: r.store, points: r.histogramUpperMs.map(function (u, i) { return [Math.log10(u), r.histogramShare[i] * 100]; }) };
          }), 'acquire latency, ms (log scale)', function (v) { return fmt(Math.pow(10, v)); });
          var legend = document.getElementById('legend');
          data.forEach(function (r, i) {
            var s = document.createElement('span');
            s.style.color = colours[i % colours.length];
            s.textContent = '\u25A0 ' + r.store;
            legend.appendChild(s);
          });
          document.body.setAttribute('data-rendered', String(drawn));
        })();
        """;
}

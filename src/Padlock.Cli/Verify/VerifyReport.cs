using System.Globalization;
using System.Net;
using System.Text;
using Padlock.Cli.Output;

namespace Padlock.Cli.Verify;

/// <summary>
/// The self-contained HTML report (the bench report's style): the table, the verdicts, and per row an SVG timeline of
/// each client's holds (red: the hold's LostToken fired) with the faults shaded. The script marks
/// <c>&lt;body data-rendered="N"&gt;</c> with the number of timelines drawn.
/// </summary>
internal static class VerifyReport
{
    public static void Write(string path, IReadOnlyList<VerifyResult> results, string command)
    {
        var data = Json.Serialize(results).Replace("</", "<\\/", StringComparison.Ordinal);
        var rows = new StringBuilder();
        for (var i = 0; i < results.Count; i++)
        {
            var r = results[i];
            rows.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(r.Subject)}</td><td>{E(r.Fault)}</td><td>{(r.Fenced ? "yes" : "no")}</td><td>{r.Grants}</td><td>{r.Overlaps}</td><td>{r.LostUpdates}</td><td>{r.StaleStopped}</td><td>{r.StaleWritesAccepted}</td><td>{r.TokensRepeated}/{r.TokensBackwards}</td><td class=\"{E(r.Outcome.Replace(' ', '-'))}\">{E(r.Verdict)}</td></tr>");
        }
        var html = $$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>padlock verify</title>
            <style>
            body{font:14px system-ui,sans-serif;margin:2em;color:#222}
            table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
            th:first-child,td:first-child,td:last-child{text-align:left}
            .safe{color:#2ca02c}.safe-with-fencing{color:#b8860b}.unsafe{color:#d62728}
            .chart{margin:1em 0}svg text{font-size:11px}
            </style></head>
            <body>
            <h1>padlock verify</h1>
            <p><code>{{E(command)}}</code><br>{{DateTime.UtcNow:yyyy-MM-dd HH:mm}} UTC, {{Environment.ProcessorCount}} cores, .NET {{Environment.Version}}</p>
            <table><tr><th>store</th><th>fault</th><th>fenced</th><th>grants</th><th>overlaps</th><th>lost updates</th><th>stale stopped</th><th>stale accepted</th><th>tokens repeated/back</th><th>verdict</th></tr>
            {{rows}}</table>
            <p>Timelines: one line per client, a bar per hold (grant to release); red bars are holds whose LostToken fired; grey bands are faults.</p>
            <div id="timelines"></div>
            <script type="application/json" id="data">{{data}}</script>
            <script>
            {{Script}}
            </script>
            </body></html>
            """;
        File.WriteAllText(path, html);
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);

    private const string Script = """
        (function () {
          var data = JSON.parse(document.getElementById('data').textContent).filter(function (r) { return !r.notRun; });
          var NS = 'http://www.w3.org/2000/svg', host = document.getElementById('timelines'), drawn = 0;
          function el(name, attrs, parent) {
            var e = document.createElementNS(NS, name);
            for (var k in attrs) e.setAttribute(k, attrs[k]);
            if (parent) parent.appendChild(e);
            return e;
          }
          data.forEach(function (r) {
            var h = document.createElement('h2');
            h.textContent = r.store + ' / ' + r.fault + (r.fenced ? ' / fenced' : '') + ': ' + r.verdict;
            host.appendChild(h);
            var lanes = r.timeline.length, W = 900, L = 70, R = 10, lane = 16, H = lanes * lane + 30;
            var svg = el('svg', { width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, 'class': 'timeline', 'data-store': r.store, 'data-fault': r.fault }, host);
            var end = r.seconds * 1000;
            r.timeline.forEach(function (c) { c.holds.forEach(function (x) { if (x[1] > end) end = x[1]; }); });
            function X(ms) { return L + Math.max(0, ms) / (end || 1) * (W - L - R); }
            r.faults.forEach(function (f) {
              el('rect', { x: X(f.atMs), y: 0, width: Math.max(1, X(f.endMs) - X(f.atMs)), height: lanes * lane, fill: '#ddd' }, svg);
            });
            r.timeline.forEach(function (c, i) {
              el('text', { x: 4, y: i * lane + 12 }, svg).textContent = 'client ' + c.client;
              c.holds.forEach(function (x) {
                el('rect', { x: X(x[0]), y: i * lane + 3, width: Math.max(1, X(x[1]) - X(x[0])), height: lane - 6, fill: x[3] ? '#d62728' : '#1f77b4' }, svg);
              });
            });
            for (var t = 0; t <= 4; t++) {
              el('text', { x: X(end * t / 4), y: H - 8, 'text-anchor': 'middle' }, svg).textContent = (end * t / 4000).toFixed(1) + ' s';
            }
            drawn++;
          });
          document.body.setAttribute('data-rendered', String(drawn));
        })();
        """;
}

using Spectre.Console;

namespace Padlock.Cli.Output;

/// <summary>
/// Where the CLI writes: Spectre.Console with colour and live displays on a terminal, plain text (no ANSI codes, no
/// animation, wide lines) when output is redirected, so logs and pipes stay readable.
/// </summary>
internal sealed class Terminal
{
    private Terminal(IAnsiConsole console, bool interactive)
    {
        Out = console;
        Interactive = interactive;
    }

    public IAnsiConsole Out { get; }

    /// <summary>True on a terminal: colour, progress bars.</summary>
    public bool Interactive { get; }

    public static Terminal Create()
    {
        var interactive = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
            Out = new AnsiConsoleOutput(Console.Out),
        });
        if (!interactive) console.Profile.Width = 200;
        return new Terminal(console, interactive);
    }

    public void Line(string markup) => Out.MarkupLine(markup);

    public void Text(string text) => Out.WriteLine(text);

    /// <summary>A one-line message on standard error, prefixed "padlock: ".</summary>
    public static void Error(string message) => Console.Error.WriteLine("padlock: " + message);

    public Table NewTable(params string[] columns)
    {
        var table = new Table { Border = Interactive ? TableBorder.Rounded : TableBorder.Ascii2 };
        foreach (var c in columns) table.AddColumn(new TableColumn(c));
        return table;
    }
}

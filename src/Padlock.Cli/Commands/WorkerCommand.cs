using System.CommandLine;
using Padlock.Cli.Demo;

namespace Padlock.Cli.Commands;

/// <summary>The hidden <c>padlock worker demo ...</c> command: the demo re-invokes the CLI as its worker processes.</summary>
internal static class WorkerCommand
{
    public static Command Create(CliContext context)
    {
        var demo = new Command("demo", "One process of the cross-process demo.");
        var store = new Option<string?>("--store");
        var counter = new Option<string>("--counter") { Required = true };
        var go = new Option<string>("--go") { Required = true };
        var increments = new Option<int>("--increments") { Required = true };
        demo.Add(store);
        demo.Add(counter);
        demo.Add(go);
        demo.Add(increments);
        demo.SetAction((p, _) => DemoWorker.RunAsync(p.GetValue(store), p.GetValue(counter)!, p.GetValue(go)!, p.GetValue(increments), context.Interrupted));
        return new Command("worker", "Internal: worker processes started by padlock itself.") { Hidden = true, Subcommands = { demo } };
    }
}

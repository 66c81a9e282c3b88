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
        return new Command("worker", "Internal: worker processes started by padlock itself.") { Hidden = true, Subcommands = { demo, Verify(context) } };
    }

    private static Command Verify(CliContext context)
    {
        var store = new Option<string>("--store") { Required = true };
        var name = new Option<string>("--name") { Required = true };
        var client = new Option<int>("--client") { Required = true };
        var register = new Option<string>("--register") { Required = true };
        var log = new Option<string>("--log") { Required = true };
        var holdMs = new Option<int>("--hold-ms") { Required = true };
        var timeoutMs = new Option<int>("--acquire-timeout-ms") { Required = true };
        var fenced = new Option<bool>("--fenced");
        var callers = new Option<int>("--callers") { DefaultValueFactory = _ => 1 };
        var primitive = new Option<string>("--primitive") { DefaultValueFactory = _ => Padlock.Cli.Verify.VerifyPrimitive.Lock };
        var permits = new Option<int>("--permits") { DefaultValueFactory = _ => 1 };
        var command = new Command("verify", "One client process of padlock verify.") { store, name, client, register, log, holdMs, timeoutMs, fenced, callers, primitive, permits };
        command.SetAction((p, _) => Padlock.Cli.Verify.VerifyClient.RunAsync(
            p.GetValue(store)!, p.GetValue(name)!, p.GetValue(client), p.GetValue(register)!, p.GetValue(log)!,
            TimeSpan.FromMilliseconds(p.GetValue(holdMs)), TimeSpan.FromMilliseconds(p.GetValue(timeoutMs)), p.GetValue(fenced), p.GetValue(callers),
            new Padlock.Cli.Verify.VerifyPrimitive(p.GetValue(primitive)!, p.GetValue(permits)), context.Interrupted));
        return command;
    }
}

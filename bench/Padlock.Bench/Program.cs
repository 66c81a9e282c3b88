// Padlock's benchmarks: each suite measures a store against its peers and the physical limit in the same run.
//   dotnet run -c Release --project bench/Padlock.Bench -- SUITE [--seconds N] [--warmup N] [--out FILE.md]
// --warmup (default: half of --seconds, at most 2 s): how long each case runs before it is measured. Processes that
// start per case (redis-procs, postgres-procs) run tier-0 and instrumented code for seconds: give them 10 s or more to measure the
// steady state rather than the JIT.
// Suites: every IBenchSuite in this assembly (run with no argument to list them).
using System.Globalization;
using Padlock.Bench.Harness;

if (args.Length == 4 && args[0] == Padlock.Bench.Core.FileProcessWorker.Flag)
    return await Padlock.Bench.Core.FileProcessWorker.RunAsync(args[1], args[2], double.Parse(args[3], CultureInfo.InvariantCulture));

if (args.Length == 6 && args[0] == Padlock.Bench.Sharding.ShardProcessWorker.Flag)
    return await Padlock.Bench.Sharding.ShardProcessWorker.RunAsync(args[1..]);

if (args.Length > Padlock.Bench.Processes.WorkerPlan.CommonArgs && args[0] == Padlock.Bench.RedisProcesses.LockWorker.Flag)
    return await Padlock.Bench.RedisProcesses.LockWorker.RunAsync(args[1..]);

if (args.Length > Padlock.Bench.Processes.WorkerPlan.CommonArgs && args[0] == Padlock.Bench.PostgresProcesses.PostgresLockWorker.Flag)
    return await Padlock.Bench.PostgresProcesses.PostgresLockWorker.RunAsync(args[1..]);

if (args.Length == 2 && args[0] == Padlock.Bench.PostgresProcesses.AdvisoryHandOff.Flag)
    return await Padlock.Bench.PostgresProcesses.AdvisoryHandOff.WaitAsync(args[1]);

if (args.Length == 2 && args[0] == Padlock.Bench.RedisProcesses.WakeUpReference.Flag)
    return await Padlock.Bench.RedisProcesses.WakeUpReference.PongAsync(args[1]);

var suites = typeof(IBenchSuite).Assembly.GetTypes()
    .Where(t => t is { IsAbstract: false, IsInterface: false } && typeof(IBenchSuite).IsAssignableFrom(t))
    .Select(t => (IBenchSuite)Activator.CreateInstance(t)!)
    .ToDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);

if (args.Length == 0 || !suites.TryGetValue(args[0], out var suite))
{
    Console.Error.WriteLine($"usage: Padlock.Bench SUITE [--seconds N] [--warmup N] [--out FILE.md]; suites: {string.Join(", ", suites.Keys.Order())}");
    return 2;
}
var seconds = 5.0;
double? warmup = null;
string? outFile = null;
for (var i = 1; i < args.Length - 1; i++)
{
    if (args[i] == "--seconds") seconds = double.Parse(args[++i], CultureInfo.InvariantCulture);
    else if (args[i] == "--warmup") warmup = double.Parse(args[++i], CultureInfo.InvariantCulture);
    else if (args[i] == "--out") outFile = args[++i];
}
var report = new Report(outFile);
report.Heading($"{suite.Name} — {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
await suite.RunAsync(new BenchSettings(TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(warmup ?? Math.Min(2, seconds / 2))), report);
report.Save();
return 0;

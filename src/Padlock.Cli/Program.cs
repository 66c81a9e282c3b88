// The `padlock` command. Everything happens in Commands/CliApp; this file only hands over the arguments.
using Padlock.Cli.Commands;

return await CliApp.RunAsync(args);

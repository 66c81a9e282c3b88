namespace Padlock;

/// <summary>Who leads an election: the value the leader campaigned with (or proclaimed since), and its term.</summary>
/// <param name="Value">The leader's current value: what it campaigned with, or the last value it proclaimed.</param>
/// <param name="Term">
/// The leadership's term: its fencing token, strictly greater than every earlier leader's of the same name. A proclaim
/// keeps the term; a new leader (even the same process campaigning again) gets a higher one.
/// </param>
public sealed record LeaderInfo(string Value, long Term);

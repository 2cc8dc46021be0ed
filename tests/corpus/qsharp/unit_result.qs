// entry: Main() (implied)
// shots: 20
// compare: identical
// An operation returning Unit, as many QDK samples are: each shot is counted under "()", Q#'s
// Unit; its messages and dumps print and change nothing.
import Std.Diagnostics.*;

operation Main() : Unit {
    use register = Qubit[2];
    ApplyToEach(H, register);
    Message("in superposition");
    DumpMachine();
    ApplyToEach(H, register);
}

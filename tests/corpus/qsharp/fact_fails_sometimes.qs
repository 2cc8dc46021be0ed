// entry: Main()
// shots: 200
// compare: failure unlucky shot
// A Fact on a measurement result: the run fails on the first shot that measures One.
import Std.Diagnostics.*;

operation Main() : Result {
    use qubit = Qubit();
    H(qubit);
    let result = MResetZ(qubit);
    Fact(result == Zero, "unlucky shot");
    result
}

// entry: Main()
// shots: 600
// compare: distribution
// Messages and state dumps around a Bell pair (they print; the counts do not change).
import Std.Diagnostics.*;

operation Main() : Result[] {
    use pair = Qubit[2];
    Message("preparing a Bell pair");
    H(pair[0]);
    CNOT(pair[0], pair[1]);
    DumpMachine();
    DumpRegister(pair);
    Message("measuring");
    MResetEachZ(pair)
}

// entry: Main()
// shots: 600
// compare: distribution
// A recursive operation draws three random bits until they spell a number up to 5.
import Std.Convert.*;

operation RandomBit() : Result {
    use qubit = Qubit();
    H(qubit);
    return MResetZ(qubit);
}

operation UpToFive() : Int {
    let bits = [RandomBit(), RandomBit(), RandomBit()];
    let candidate = ResultArrayAsInt(bits);
    return candidate > 5 ? UpToFive() | candidate;
}

operation Main() : Int {
    UpToFive()
}

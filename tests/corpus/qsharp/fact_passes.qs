// entry: Parity(45)
// shots: 20
// compare: identical
// Facts that hold, checked before and after preparing the parity of an integer.
import Std.Diagnostics.*;

function OnesIn(value : Int) : Int {
    mutable count = 0;
    for index in 0..62 {
        if (value >>> index) % 2 == 1 {
            count += 1;
        }
    }
    count
}

operation Parity(value : Int) : (Int, Result) {
    Fact(value >= 0, "the value must not be negative");
    let ones = OnesIn(value);
    Fact(ones == 4, "45 has four ones");
    use qubit = Qubit();
    if ones % 2 == 1 {
        X(qubit);
    }
    (ones, MResetZ(qubit))
}

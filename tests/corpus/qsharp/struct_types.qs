// entry: Main()
// shots: 20
// compare: identical
// A struct, copy-and-update, and a newtype with named items driving a circuit.

struct Rotation {
    Angle : Double,
    Repeats : Int,
}

newtype Pair = (Left : Int, Right : Int);

operation Main() : (Int, Result, Int) {
    let half = new Rotation { Angle = 1.5707963267948966, Repeats = 2 };
    let full = new Rotation { ...half, Repeats = 4 };
    let pair = Pair(3, 4);
    use qubit = Qubit();
    for _ in 1..full.Repeats {
        Rx(full.Angle, qubit);
    }
    Rx(half.Angle * 2.0, qubit);
    (full.Repeats, MResetZ(qubit), pair::Left + pair::Right)
}

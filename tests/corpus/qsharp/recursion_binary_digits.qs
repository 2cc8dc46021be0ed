// entry: PrepareNumber(11, 5)
// shots: 50
// compare: identical
// A recursive function turns an integer into bits; the bits prepare a register.

function Digits(value : Int, width : Int) : Bool[] {
    if width == 0 {
        return [];
    }
    return [value % 2 == 1] + Digits(value / 2, width - 1);
}

operation PrepareNumber(value : Int, width : Int) : Result[] {
    use register = Qubit[width];
    let digits = Digits(value, width);
    for index in 0..width - 1 {
        if digits[index] {
            X(register[index]);
        }
    }
    return MResetEachZ(register);
}

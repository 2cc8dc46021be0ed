// entry: Main()
// shots: 20
// compare: identical
// Recursion thousands of calls deep (QIR generation crashes on it), then a measurement.

function CollatzSteps(n : Int) : Int {
    if n == 1 {
        return 0;
    }
    let next = n % 2 == 0 ? n / 2 | 3 * n + 1;
    return 1 + CollatzSteps(next);
}

function SumDown(n : Int) : Int {
    n == 0 ? 0 | n + SumDown(n - 1)
}

operation Main() : (Int, Int, Result) {
    use flag = Qubit();
    if CollatzSteps(27) == 111 {
        X(flag);
    }
    (CollatzSteps(97), SumDown(3000), MResetZ(flag))
}

// entry: Main()
// shots: 40
// compare: identical
// An operation with its own adjoint and controlled specializations, applied every way.

operation ShiftUp(register : Qubit[]) : Unit is Adj + Ctl {
    body (...) {
        X(register[0]);
        CNOT(register[0], register[1]);
    }
    adjoint (...) {
        CNOT(register[0], register[1]);
        X(register[0]);
    }
    controlled (controls, ...) {
        Controlled X(controls, register[0]);
        Controlled CNOT(controls, (register[0], register[1]));
    }
    controlled adjoint (controls, ...) {
        Controlled CNOT(controls, (register[0], register[1]));
        Controlled X(controls, register[0]);
    }
}

operation Main() : (Result[], Result[], Result[]) {
    use (control, first, second, third) = (Qubit(), Qubit[2], Qubit[2], Qubit[2]);
    ShiftUp(first);
    ShiftUp(second);
    Adjoint ShiftUp(second);
    X(control);
    Controlled ShiftUp([control], third);
    Controlled Adjoint ShiftUp([control], third);
    Controlled ShiftUp([control], third);
    Reset(control);
    (MResetEachZ(first), MResetEachZ(second), MResetEachZ(third))
}

package dev.twinstep.core.cpu.vectors;

/** Spells a set of FLAGS bits as their mnemonics, for readable differences. */
final class FlagNames {
    private static final String[] NAMES = {
        "CF", "b1", "PF", "b3", "AF", "b5", "ZF", "SF", "TF", "IF", "DF", "OF", "IOPL0", "IOPL1", "NT", "b15"
    };

    private FlagNames() {
    }

    static String of(int bits) {
        StringBuilder names = new StringBuilder();
        for (int bit = 0; bit < NAMES.length; bit++) {
            if ((bits & (1 << bit)) != 0) {
                names.append(names.length() == 0 ? "" : " ").append(NAMES[bit]);
            }
        }
        return names.length() == 0 ? "-" : names.toString();
    }
}

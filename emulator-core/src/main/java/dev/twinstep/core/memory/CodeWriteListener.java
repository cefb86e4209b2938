package dev.twinstep.core.memory;

/** Told when a write lands on a page that holds decoded code, so the decoded blocks can be dropped. */
public interface CodeWriteListener {
    void codePageWritten(int page);
}

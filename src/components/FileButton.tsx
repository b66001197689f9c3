/** A button that opens the file picker: the label is the input's accessible name; the chosen file goes to `onFile` (the input is cleared, so the same file can be chosen again). */
export function FileButton({ label, accept, onFile, primary = false, disabled = false }: { label: string; accept: string; onFile: (file: File) => void; primary?: boolean; disabled?: boolean }) {
  return (
    <label className={`button${primary ? ' primary' : ''} file-button`}>
      {label}
      <input
        type="file"
        accept={accept}
        disabled={disabled}
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) onFile(file);
        }}
      />
    </label>
  );
}

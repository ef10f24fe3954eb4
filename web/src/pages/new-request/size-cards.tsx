import type { Ref } from 'react';

export interface SizeOption {
  size: string;
  vcpus: number;
  memoryGb: number;
  diskGb: number;
  monthlyCostEur: number;
}

export const formatEuros = (amount: number): string =>
  new Intl.NumberFormat(undefined, { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 }).format(amount);

interface SizeCardsProps {
  sizes: readonly SizeOption[];
  value: string;
  onChange(size: string): void;
  error: string | null;
  errorId: string;
  groupRef: Ref<HTMLFieldSetElement>;
}

/**
 * The sizes as cards, each a real radio button inside its label: the browser gives the group its keyboard use
 * (Tab enters at the chosen card, arrow keys move and choose) and screen readers announce it as a radio group.
 */
export function SizeCards({ sizes, value, onChange, error, errorId, groupRef }: SizeCardsProps) {
  return (
    <fieldset
      ref={groupRef}
      className="field size-cards"
      role="radiogroup"
      aria-invalid={error ? true : undefined}
      aria-describedby={error ? errorId : undefined}
    >
      <legend>Size</legend>
      <div className="size-card-list">
        {sizes.map((spec) => (
          <label key={spec.size} className="size-card">
            <input type="radio" name="size" value={spec.size} checked={value === spec.size} onChange={() => onChange(spec.size)} />
            <span className="size-card-name">{spec.size}</span>
            <span className="size-card-specs">
              <span>{spec.vcpus} vCPU</span>
              <span>{spec.memoryGb} GB RAM</span>
              <span>{spec.diskGb} GB disk</span>
            </span>
            <span className="size-card-price">{formatEuros(spec.monthlyCostEur)} / month</span>
          </label>
        ))}
      </div>
      {error ? (
        <p id={errorId} className="field-error">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

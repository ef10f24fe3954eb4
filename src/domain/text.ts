/** Length in Unicode code points, so an emoji or accented letter counts as one character, as a user would count it. */
export const charCount = (text: string): number => [...text].length;

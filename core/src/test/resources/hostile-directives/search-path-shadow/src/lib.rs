/// ```
/// assert_eq!(search_path_shadow::answer(), 42);
/// ```
pub fn answer() -> u32 {
    42
}
